## Compartido por todas las páginas: el marco (base.html), la navegación, los formularios.

nav-log-out = Cerrar sesión
hint-password-length = (al menos 8 caracteres)
