# Equipos, con su historial de servicio.
nav-assets = Equipos
assets-title = Equipos
assets-find = Buscar equipos
assets-filter-property = Propiedad
assets-any-property = Todas las propiedades
assets-show = Mostrar equipos
assets-show-all = Mostrar todos
assets-no-results = Sin resultados
assets-count = { $count ->
    [one] { $count } equipo
   *[other] { $count } equipos
}
assets-fix-filter = Corrija el filtro para ver los equipos.
assets-none-on-page = No hay equipos en esta página.
assets-none-match = No hay equipos en esta propiedad.
assets-none = Todavía no tiene equipos registrados.
assets-asset = Equipo
assets-property = Propiedad
assets-make-model = Marca y modelo
assets-serial = Número de serie
assets-location = Ubicación
assets-next-maintenance = Próximo mantenimiento
asset-not-planned = No previsto
asset-title = { $name }
asset-all = Todos los equipos
asset-details = Detalles
asset-make = Marca
asset-model = Modelo
asset-unknown = Sin registrar
asset-care = Instalación y mantenimiento
asset-installed = Instalado
asset-history = Historial de servicio
asset-history-none = Ningún trabajo ha intervenido todavía en este equipo.
asset-history-none-on-page = No hay trabajos en esta página.
asset-history-job = Trabajo
asset-history-status = Estado
asset-history-when = Cuándo
asset-not-scheduled = Sin programar
asset-job-unscheduled = Pendiente de programar
asset-job-scheduled = Programado
asset-job-in-progress = En curso
asset-job-completed = Completado
asset-job-cancelled = Cancelado
