# Solicitudes de servicio: la lista, pedir, una solicitud.
nav-requests = Solicitudes
requests-title = Solicitudes
requests-new = Hacer una solicitud
requests-new-title = ¿Qué necesita?
requests-all = Todas las solicitudes
requests-back-to-kinds = Elegir otro tipo de solicitud
requests-filter = Filtrar
requests-find = Buscar solicitudes
requests-filter-status = Mostrar
requests-filter-all = Todas las solicitudes
requests-filter-open = Abiertas
requests-filter-closed = Cerradas
requests-show = Mostrar
requests-no-results = No se muestran solicitudes
requests-count = { $count ->
    [one] { $count } solicitud
   *[other] { $count } solicitudes
}
requests-fix-filter = Corrija el filtro de arriba para ver sus solicitudes.
requests-none-on-page = No hay solicitudes en esta página.
requests-none-match = Todavía no ha hecho ninguna solicitud.
requests-col-request = Solicitud
requests-col-status = Estado
requests-col-asked = Pedida
request-status-pending = Recibida
request-status-scheduled = Programada
request-status-in-progress = En curso
request-status-completed = Hecha
request-status-declined = Rechazada
request-status-canceled = Cancelada
request-kind-service = Solicitar servicio
request-kind-service-about = Cuéntenos qué necesita y dónde, y le responderemos.
request-kind-call-off = Retirada de alquiler
request-kind-call-off-about = Pídanos que recojamos artículos alquilados: elija el contrato y luego los artículos.
request-summary-call-off = { $number }: { $count ->
    [one] { $count } artículo
   *[other] { $count } artículos
}
request-service-description = ¿Qué necesita?
request-service-description-hint = Describa el trabajo, el problema o lo que ha visto.
request-service-property = Dónde
request-pick-one = Elija una opción
request-optional = (opcional)
request-submit = Enviar solicitud
request-files = Fotos y archivos
request-done = Hemos recibido su solicitud. Puede seguirla aquí.
request-where = Estado actual
request-note = Nuestra nota
request-no-note = Todavía no hay nota.
request-updated = Última actualización
request-asked = Lo que pidió
request-call-off-contract = Contrato
request-call-off-items = Artículos
request-call-off-pickup = Recogida
request-call-off-notes = Notas
request-call-off-page = Ver la retirada
request-cancel-heading = ¿Ha cambiado de idea?
request-cancel-hint = Puede cancelar esta solicitud mientras aún no le hayamos respondido.
request-cancel = Cancelar solicitud
request-canceled = Su solicitud está cancelada.
