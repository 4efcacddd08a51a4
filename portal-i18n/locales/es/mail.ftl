## Correos (portal-mail).

mail-hello = Hola:
mail-hello-name = Hola, { $name }:
mail-questions-reply = ¿Preguntas? Responda a este correo o escriba a { $address }.
mail-questions-reply-html = ¿Preguntas? Responda a este correo o escriba a
mail-sent-automatically = Este correo se envió automáticamente; las respuestas no se leen.
mail-contact-directly = Si tiene preguntas, comuníquese directamente con { $business }.
mail-button-fallback = Si el botón no funciona, copie este enlace en su navegador:
mail-link-once = El enlace funciona una sola vez y vence el { $expires }.

mail-set-password-subject = Establezca su contraseña de { $business }
mail-set-password-intro = Ya puede usar el portal de clientes de { $business }.
mail-set-password-open-link = Para elegir su contraseña, abra este enlace:
mail-set-password-use-button = Para elegir su contraseña, use el botón de abajo.
mail-set-password-button = Establecer la contraseña
mail-set-password-expired = Si venció, pida uno nuevo en la página de inicio de sesión del portal.
mail-set-password-ignore = Si no lo pidió, ignore este correo: nada cambia hasta que se use el enlace.

mail-reset-subject = Restablezca su contraseña de { $business }
mail-reset-intro = Alguien pidió restablecer la contraseña de su cuenta en el portal de clientes de { $business }.
mail-reset-open-link = Para elegir una contraseña nueva, abra este enlace:
mail-reset-use-button = Para elegir una contraseña nueva, use el botón de abajo.
mail-reset-button = Elegir una contraseña nueva
mail-reset-ignore = Si no lo pidió, ignore este correo: su contraseña sigue igual.

mail-invitation-subject = Le invitaron al portal de clientes de { $business }
mail-invitation-subject-by = { $inviter } le invitó al portal de clientes de { $business }
mail-invitation-intro = { $business } le invitó a su portal de clientes, donde puede ver sus facturas, presupuestos y trabajos.
mail-invitation-intro-by = { $inviter } le invitó al portal de clientes de { $business }, donde puede ver sus facturas, presupuestos y trabajos.
mail-invitation-open-link = Para aceptar y elegir su contraseña, abra este enlace:
mail-invitation-use-button = Para aceptar y elegir su contraseña, use el botón de abajo.
mail-invitation-button = Aceptar la invitación
mail-invitation-ignore = Si no lo pidió, ignore este correo: no se da acceso hasta que se use el enlace.

mail-confirm-email-subject = Confirme su nueva dirección de correo para { $business }
mail-confirm-email-intro = Pidió usar esta dirección para su cuenta del portal de clientes de { $business }.
mail-confirm-email-open-link = Para confirmarla, abra este enlace:
mail-confirm-email-use-button = Para confirmarla, use el botón de abajo.
mail-confirm-email-button = Confirmar esta dirección
mail-confirm-email-ignore = Si no lo pidió, ignore este correo: no cambia nada.
mail-email-changed-subject = Se cambió su dirección de correo para { $business }
mail-email-changed-intro = La dirección de correo de su cuenta del portal de clientes de { $business } se cambió a { $email } el { $changed }.
mail-email-changed-no-more = El correo del portal llega ahora allí, y usted inicia sesión con ella.
mail-email-changed-if-not = Si no fue usted, avise a { $business } de inmediato.
mail-password-changed-subject = Se cambió su contraseña de { $business }
mail-password-changed-intro = La contraseña de su cuenta en el portal de clientes de { $business } se cambió el { $changed }.
mail-password-changed-sessions = Se cerraron las demás sesiones.
mail-password-changed-if-you = Si la cambió usted, no tiene que hacer nada más.
mail-password-changed-if-not = Si no fue usted, restablezca su contraseña ya desde la página de inicio de sesión del portal y avise a { $business }.

mail-receipt-subject = Recibo de su pago de { $amount } a { $business }
mail-receipt-intro = Gracias: recibimos su pago de { $amount } para la cuenta { $account }.
mail-receipt-paid-on = Fecha de pago
mail-receipt-paid-with = Medio de pago
mail-receipt-reference = Referencia
mail-receipt-applied-to = Aplicado a
mail-receipt-invoice = Factura { $number }
mail-receipt-credit-used = Pagado con el saldo a favor de su cuenta: { $amount }
mail-receipt-balance-after = Queda por pagar en la cuenta: { $amount }
mail-receipt-credit-kept = Saldo a favor: { $amount }, guardado en su cuenta para próximas facturas.
mail-receipt-in-portal = Su recibo en el portal:
mail-receipt-button = Ver su recibo
