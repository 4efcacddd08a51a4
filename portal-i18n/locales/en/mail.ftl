## Mails (portal-mail). Arguments come formatted: $business is the
## tenant's display name, $expires and $changed a date and time, amounts
## with their currency.

mail-hello = Hello,
mail-hello-name = Hello { $name },
mail-questions-reply = Questions? Reply to this mail or write to { $address }.
mail-questions-reply-html = Questions? Reply to this mail or write to
mail-sent-automatically = This mail was sent automatically; replies to it are not read.
mail-contact-directly = For questions, contact { $business } directly.
mail-button-fallback = If the button does not work, copy this link into your browser:
mail-link-once = The link works once and expires on { $expires }.

mail-set-password-subject = Set your password for { $business }
mail-set-password-intro = You can now use the { $business } customer portal.
mail-set-password-open-link = To choose your password, open this link:
mail-set-password-use-button = To choose your password, use the button below.
mail-set-password-button = Set your password
mail-set-password-expired = If it has expired, ask for a new one on the portal's sign-in page.
mail-set-password-ignore = If you did not ask for this, ignore this mail: nothing changes until the link is used.

mail-reset-subject = Reset your password for { $business }
mail-reset-intro = Someone asked to reset the password of your { $business } customer portal account.
mail-reset-open-link = To choose a new password, open this link:
mail-reset-use-button = To choose a new password, use the button below.
mail-reset-button = Choose a new password
mail-reset-ignore = If you did not ask for this, ignore this mail: your password stays as it is.

mail-invitation-subject = You are invited to the { $business } customer portal
mail-invitation-subject-by = { $inviter } invited you to the { $business } customer portal
mail-invitation-intro = { $business } invited you to its customer portal, where you can see your invoices, quotes and jobs.
mail-invitation-intro-by = { $inviter } invited you to the { $business } customer portal, where you can see your invoices, quotes and jobs.
mail-invitation-open-link = To accept and choose your password, open this link:
mail-invitation-use-button = To accept and choose your password, use the button below.
mail-invitation-button = Accept the invitation
mail-invitation-ignore = If you did not ask for this, ignore this mail: no access is given until the link is used.

mail-password-changed-subject = Your password for { $business } was changed
mail-confirm-email-subject = Confirm your new email address for { $business }
mail-confirm-email-intro = You asked to use this address for your { $business } customer portal account.
mail-confirm-email-open-link = To confirm it, open this link:
mail-confirm-email-use-button = To confirm it, use the button below.
mail-confirm-email-button = Confirm this address
mail-confirm-email-ignore = If you did not ask for this, ignore this mail: nothing changes.
mail-email-changed-subject = Your email address for { $business } was changed
mail-email-changed-intro = The email address of your { $business } customer portal account was changed to { $email } on { $changed }.
mail-email-changed-no-more = Mail from the portal now goes there, and you sign in with it.
mail-email-changed-if-not = If you did not, tell { $business } right away.
mail-password-changed-intro = The password of your { $business } customer portal account was changed on { $changed }.
mail-password-changed-sessions = Other sessions were signed out.
mail-password-changed-if-you = If you changed it, there is nothing more to do.
mail-password-changed-if-not = If you did not, reset your password from the portal's sign-in page right away and tell { $business }.

mail-receipt-subject = Receipt for your { $amount } payment to { $business }
mail-receipt-intro = Thank you: we received your payment of { $amount } for account { $account }.
mail-receipt-paid-on = Paid on
mail-receipt-paid-with = Paid with
mail-receipt-reference = Reference
mail-receipt-applied-to = Applied to
mail-receipt-invoice = Invoice { $number }
mail-receipt-credit-used = Paid from your account credit: { $amount }
mail-receipt-balance-after = Left to pay on the account: { $amount }
mail-receipt-credit-kept = Account credit: { $amount }, kept on your account for later invoices.
mail-receipt-in-portal = Your receipt in the portal:
mail-receipt-button = View your receipt
