## dashboard
dashboard-title = Inicio
dashboard-welcome = Bienvenido/a, { $name }
dashboard-account = Cuenta { $number } · { $name }
dashboard-unpaid = Facturas pendientes
dashboard-autopay-on-next = El pago automático está activado con { $card }; próximo cargo el { $date }.
dashboard-autopay-on-nothing-due = El pago automático está activado con { $card }; no hay nada pendiente.
dashboard-autopay-manage = Gestionar el pago automático
dashboard-autopay-off = El pago automático está desactivado.
dashboard-autopay-set-up = Active el pago automático para pagar las facturas a su vencimiento
dashboard-autopay-any-card = una tarjeta registrada
dashboard-see-all-unpaid = { $count ->
    [one] Ver la factura pendiente
   *[other] Ver las { $count } facturas pendientes
}
dashboard-quotes = Presupuestos por aprobar
dashboard-quotes-none = No tiene presupuestos por aprobar.
dashboard-quotes-nearest-before = El más próximo a vencer,
dashboard-quotes-nearest-after = , es válido hasta el { $date }.
dashboard-quotes-all = Todos los presupuestos por aprobar
dashboard-jobs = Trabajos abiertos
dashboard-jobs-none = No hay trabajos abiertos en este momento.
dashboard-jobs-not-scheduled = Aún sin programar
dashboard-tickets = Solicitudes abiertas
dashboard-tickets-none = No tiene solicitudes abiertas.
dashboard-comms = Comunicaciones recientes
dashboard-comms-none = Aún no hay comunicaciones.

communications-title = Comunicaciones
communications-all = Todas las comunicaciones
communications-none-on-page = No hay comunicaciones en esta página.
communication-inbound = de usted
communication-outbound = de nosotros
communication-channel-email = Correo
communication-channel-call = Llamada
communication-channel-sms = Mensaje de texto
communication-channel-letter = Carta
communication-channel-visit = Visita
communication-channel-note = Nota
