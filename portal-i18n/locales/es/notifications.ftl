# Notificaciones: el aviso en el portal, las preferencias, darse de baja
# desde el enlace de un correo y las palabras de cada aviso.
nav-notifications = Notificaciones
notifications-title = Notificaciones
notifications-unread = { $count ->
    [one] 1 sin leer
   *[other] { $count } sin leer
}
notifications-none = Nada nuevo. Le avisaremos aquí cuando pase algo en su cuenta.
notifications-none-on-page = No hay notificaciones en esta página.
notifications-mark-read = Marcar todo como leído
notifications-marked = Todas las notificaciones están marcadas como leídas.
notifications-new = Nueva
notifications-preferences = Preferencias de notificaciones
notifications-preferences-title = Preferencias de notificaciones
notifications-preferences-intro = Elija qué le contamos y dónde. Solo recibe avisos de lo que su rol le permite ver.
notifications-col-kind = Qué pasó
notifications-channel-feed = En el portal
notifications-channel-email = Por correo
notifications-save = Guardar preferencias
notifications-saved = Se guardaron sus preferencias de notificaciones.
notifications-kind-invoice_issued = Una factura nueva
notifications-kind-payment_received = Un pago recibido
notifications-kind-payment_failed = Un pago fallido
notifications-kind-quote_issued = Un presupuesto nuevo
notifications-kind-job_scheduled = Una visita programada, cambiada o cancelada
notifications-kind-ticket_replied = Una respuesta a un ticket de soporte
notifications-kind-ticket_closed = Un ticket de soporte cerrado
notifications-kind-request_updated = Un cambio de estado en una solicitud
notifications-kind-call_off_updated = Una respuesta a una solicitud de retirada
unsubscribe-title = Dejar de recibir estos correos
unsubscribe-confirm = ¿Dejar de recibir correos sobre «{ $kind }»?
unsubscribe-explain = Los seguirá viendo en el portal. Puede volver a activarlos en sus preferencias de notificaciones.
unsubscribe-button = Dejar de recibir estos correos
unsubscribe-done-title = Se dio de baja
unsubscribe-done = Ya no le enviaremos correos sobre «{ $kind }».
unsubscribe-invalid-title = Este enlace no funciona
unsubscribe-invalid = Este enlace para darse de baja no es válido. Inicie sesión y cambie sus preferencias de notificaciones.
mail-notice-unsubscribe = Deje de recibir correos como este:
mail-notice-settings = Recibe este correo por sus preferencias de notificaciones en el portal de { $business }.
notice-invoice-issued-title = Nueva factura { $number } por { $amount }
notice-invoice-issued-text = { $business } emitió la factura { $number } por { $amount }, con vencimiento el { $due }.
notice-invoice-issued-action = Ver factura
notice-payment-received-title = Pago de { $amount } recibido
notice-payment-received-text = { $business } recibió un pago de { $amount } en su cuenta.
notice-payment-received-action = Ver pago
notice-payment-failed-title = El pago de { $amount } falló
notice-payment-failed-text = Un pago de { $amount } a { $business } no se realizó. No se cobró nada; revise su método de pago.
notice-payment-failed-action = Ver pago
notice-quote-issued-title = Nuevo presupuesto { $number }: { $title }
notice-quote-issued-text = { $business } le envió el presupuesto { $number } por { $amount } ({ $title }). Puede aprobarlo hasta el { $until }.
notice-quote-issued-action = Ver presupuesto
notice-job-scheduled-title = Visita { $number } programada para el { $start }
notice-job-scheduled-text = { $title } ({ $number }) está programada para el { $start }.
notice-job-scheduled-action = Ver visita
notice-job-cancelled-title = La visita { $number } fue cancelada
notice-job-cancelled-text = { $business } canceló { $title } ({ $number }).
notice-job-cancelled-action = Ver visita
notice-ticket-replied-title = Nueva respuesta en el ticket n.º { $number }
notice-ticket-replied-text = { $business } respondió a su ticket n.º { $number }: { $subject }.
notice-ticket-replied-action = Ver ticket
notice-ticket-closed-title = Se cerró el ticket n.º { $number }
notice-ticket-closed-text = { $business } cerró su ticket n.º { $number }: { $subject }.
notice-ticket-closed-action = Ver ticket
notice-request-updated-title = Su solicitud «{ $request }»: { $status }
notice-request-updated-text = { $noted ->
    [0] { $business } cambió el estado de su solicitud «{ $request }» a «{ $status }».
   *[other] { $business } cambió el estado de su solicitud «{ $request }» a «{ $status }» y escribió: { $note }
}
notice-request-updated-action = Ver solicitud
