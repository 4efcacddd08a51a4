# Tickets de soporte: la lista, abrir uno, un ticket y sus mensajes.
nav-tickets = Soporte
tickets-title = Tickets de soporte
tickets-new = Abrir un ticket
tickets-new-title = Abrir un ticket
tickets-all = Todos los tickets
tickets-filter = Filtrar
tickets-find = Buscar tickets
tickets-filter-status = Mostrar
tickets-filter-all = Abiertos y cerrados
tickets-filter-open = Solo abiertos
tickets-filter-closed = Solo cerrados
tickets-show = Mostrar
tickets-fix-filter = Corrija el filtro de arriba para ver sus tickets.
tickets-none = No tiene tickets. Abra uno cuando necesite ayuda.
tickets-none-on-page = No hay tickets en esta página.
tickets-open = Tickets abiertos
tickets-closed = Tickets cerrados
tickets-col-ticket = Ticket
tickets-col-status = Estado
tickets-col-updated = Última actividad
tickets-submit = Abrir ticket
ticket-status-open = Abierto
ticket-status-waiting = Esperando su respuesta
ticket-status-closed = Cerrado
ticket-size-bytes = { $size ->
    [one] { $size } byte
   *[other] { $size } bytes
}
ticket-size-kb = { $size } KB
ticket-size-mb = { $size } MB
ticket-files-hint = (opcional) Hasta { $count ->
    [one] un archivo
   *[other] { $count } archivos
}: { $kinds }, cada uno de { $size } como máximo.
ticket-pick-category = Elija una categoría
ticket-no-job = No es sobre un trabajo en concreto
ticket-category = Categoría
ticket-body = ¿Cómo podemos ayudarle?
ticket-body-hint = Hasta { $max } caracteres.
ticket-job = Sobre el trabajo
ticket-files = Archivos adjuntos
ticket-title = Ticket { $number }
ticket-opened = Su ticket está abierto. Le responderemos aquí y por correo electrónico.
ticket-replied = Su respuesta se ha enviado.
ticket-reopened = El ticket vuelve a estar abierto.
ticket-about = Sobre este ticket
ticket-opened-at = Abierto el
ticket-thread = Mensajes
ticket-from-staff = personal
ticket-reply = Responder
ticket-send-reply = Enviar respuesta
ticket-closed-reopen = Este ticket está cerrado. Vuelva a abrirlo si aún necesita ayuda con él.
ticket-reopen = Volver a abrir el ticket
tickets-conflict-closed = Este ticket está cerrado. Vuelva a abrirlo para responder.
tickets-conflict-not-closed = Este ticket ya está abierto.
tickets-conflict-reopen-not-allowed = Los tickets cerrados no se pueden volver a abrir. Abra un ticket nuevo.
