# Contratos de servicio: acuerdos periódicos y bolsas de horas.
nav-service-contracts = Contratos
contracts-title = Contratos de servicio
contracts-find = Buscar contratos
contracts-filter-status = Estado
contracts-any-status = Cualquier estado
contracts-show = Mostrar contratos
contracts-show-all = Mostrar todos
contracts-no-results = Sin resultados
contracts-count = { $count ->
    [one] { $count } contrato
   *[other] { $count } contratos
}
contracts-fix-filter = Corrija el filtro para ver los contratos.
contracts-none-on-page = No hay contratos en esta página.
contracts-none-match = Ningún contrato coincide con este filtro.
contracts-none = Todavía no tiene contratos de servicio.
contracts-contract = Contrato
contracts-kind = Tipo
contracts-status = Estado
contracts-starts = Inicio
contracts-outlook = Próximo
contract-status-active = Activo
contract-status-paused = En pausa
contract-status-ended = Finalizado
contract-status-cancelled = Cancelado
contract-kind-recurring = Servicio periódico
contract-kind-time-block = Bolsa de horas
contract-no-visit-planned = Ninguna visita prevista
contract-next-visit-on = Próxima visita { $day }
contract-hours-left = Quedan { $hours } de { $bought } horas
contract-title = Contrato { $number }
contract-all = Todos los contratos
contract-ends = Fin
contract-no-end = Sin fecha de fin
contract-visits = Visitas
contract-schedule = Calendario
contract-next-visit = Próxima visita
contract-price-per-period = Precio por periodo
contract-hours-heading = Horas
contract-hours = { $hours } h
contract-hours-bought = Compradas
contract-hours-used = Usadas
contract-hours-remaining = Restantes
contract-hours-overage = Por encima de las horas compradas
contract-covers = Qué cubre
