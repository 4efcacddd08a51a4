## Shared by every page: the frame (base.html), navigation, forms.

nav-log-out = Log out
hint-password-length = (at least 8 characters)
