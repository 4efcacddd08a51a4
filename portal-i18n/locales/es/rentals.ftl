# Alquileres: contratos con los artículos en alquiler, reservas y
# solicitudes de retirada (portal-http-axum/src/pages/rentals.rs y el PDF
# del contrato en src/pdf.rs).
nav-rentals = Alquileres
rentals-nav = Secciones de alquileres
rentals-title = Alquileres
rentals-nav-contracts = Contratos de alquiler
rentals-nav-items-out = Artículos en alquiler
rentals-nav-reservations = Reservas
rentals-show = Mostrar contratos
rentals-count = { $count ->
    [one] { $count } contrato de alquiler
   *[other] { $count } contratos de alquiler
}
rentals-fix-filter = Corrija el filtro para ver sus contratos de alquiler.
rentals-none-on-page = No hay contratos de alquiler en esta página.
rentals-none-match = Ningún contrato de alquiler coincide con este filtro.
rentals-none = Todavía no tiene contratos de alquiler.
rentals-col-contract = Contrato de alquiler
rentals-col-started = Inicio
rentals-col-site = Lugar
rentals-col-items-out = Artículos fuera
rentals-no-site = Sin indicar
rental-status-open = Abierto
rental-status-closed = Cerrado
rental-title = Contrato de alquiler { $number }
rental-all = Todos los contratos de alquiler
rental-details = Datos del contrato
rental-items = Artículos
rental-col-item = Artículo
rental-col-out = Cantidad entregada
rental-col-returned = Devueltos
rental-col-since = Fuera desde
rental-col-still-out = Aún fuera
rental-col-rate = Tarifa
rental-no-rate = Sin indicar
rental-items-none = Este contrato no tiene artículos.
rental-call-off-link = Solicitar retirada
rental-call-offs = Retiradas
rental-call-offs-none = No se ha solicitado ninguna retirada en este contrato.
rental-col-requested = Solicitada
rental-col-pickup = Fecha de recogida
rental-col-items = Artículos
rental-item-quantity = { $quantity } × { $name }
rentals-items-out-title = Artículos en alquiler
rentals-items-out-count = { $count ->
    [one] { $count } línea de artículos aún fuera
   *[other] { $count } líneas de artículos aún fuera
}
rentals-items-out-none = No hay nada fuera en sus contratos de alquiler abiertos.
rentals-items-out-none-on-page = No hay artículos en esta página.
rentals-reservations-title = Reservas
rentals-reservations-count = { $count ->
    [one] { $count } reserva
   *[other] { $count } reservas
}
rentals-reservations-none = No tiene reservas.
rentals-reservations-none-on-page = No hay reservas en esta página.
rentals-col-reservation = Reserva
rentals-col-dates = Fechas reservadas
rentals-reservation-dates = del { $from } al { $to }
reservation-status-pending = Pendiente de confirmar
reservation-status-confirmed = Confirmada
reservation-status-fulfilled = Entregada
reservation-status-cancelled = Cancelada
call-off-title = Solicitar retirada: contrato { $number }
call-off-intro = Indíquenos cuántas unidades de cada artículo debemos recoger y desde cuándo pueden recogerse.
call-off-back = Volver al contrato
call-off-items = Artículos que recoger
call-off-items-hint = Deje un artículo en 0 para conservarlo.
call-off-up-to = { $available ->
    [one] hasta 1
   *[other] hasta { $available }
}
call-off-pickup = Fecha de recogida
call-off-pickup-hint = hoy o más adelante
call-off-notes = Notas para el conductor (opcional)
call-off-notes-hint = código de la verja, dónde están los artículos
call-off-submit = Enviar la solicitud
call-off-nothing = Ahora no se puede retirar nada de este contrato: todo lo que sigue fuera ya está en una solicitud.
call-off-closed = Este contrato está cerrado: no se puede retirar nada.
call-off-page-title = Retirada del contrato { $number }
call-off-done = Se envió su solicitud de retirada. Le avisaremos cuando la recogida esté programada.
call-off-requested = Solicitada
call-off-notes-label = Notas
call-off-no-notes = Ninguna
call-off-col-quantity = Cantidad
call-off-status-pending = Solicitada
call-off-status-scheduled = Recogida programada
call-off-status-collected = Recogida
call-off-status-cancelled = Cancelada
call-off-status-in-progress = Recogida en curso
call-off-status-declined = Rechazada
call-off-explain-pending = Hemos recibido su solicitud y programaremos la recogida.
call-off-explain-scheduled = La recogida está programada.
call-off-explain-collected = Los artículos se recogieron.
call-off-explain-cancelled = Esta retirada se canceló. Llámenos si no es lo que esperaba.
call-off-explain-in-progress = Estamos recogiendo los artículos.
call-off-explain-declined = No pudimos aceptar esta retirada. Llámenos para acordar la recogida.
dashboard-rentals = Alquileres
dashboard-rentals-text = Sus contratos de alquiler, los artículos aún fuera y sus reservas.
pdf-rental-started = Inicio: { $date }
pdf-rental-site = Lugar: { $site }
pdf-rental-call-off = { $date }: { $items } ({ $status }); recogida { $pickup }
