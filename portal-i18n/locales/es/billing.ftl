## Facturación: facturas, pagos, estados de cuenta, tarjetas.

invoices-count = { $count ->
    [one] { $count } factura
   *[other] { $count } facturas
}
invoice-status-open = Sin pagar
invoice-status-partially-paid = Pagada en parte
invoice-status-paid = Pagada
invoice-status-void = Anulada
entry-charge = Factura
entry-payment = Pago
entry-credit = Crédito
aging-current = Al día
aging-1-30 = 1 a 30 días
aging-31-60 = 31 a 60 días
aging-61-90 = 61 a 90 días
aging-over-90 = Más de 90 días
billing-nav = Facturación
billing-nav-overview = Resumen
billing-nav-invoices = Facturas
billing-nav-pay = Pagar
billing-nav-payments = Pagos
billing-nav-statement = Estado de cuenta
billing-nav-cards = Tarjetas guardadas
billing-nav-autopay = Pago automático
statement-title = Estado de cuenta
statement-from = Desde
statement-to = Hasta
statement-show = Ver el estado de cuenta
statement-download = Descargar PDF
statement-period = Del { $from } al { $to }
statement-date = Fecha
statement-type = Tipo
statement-reference = Referencia
statement-amount = Importe
statement-balance = Saldo
statement-opening = Saldo inicial
statement-empty = No hubo movimientos en la cuenta en este período.
statement-totals = Totales
statement-charges = Cargos
statement-payments = Pagos
statement-credits = Créditos
statement-closing = Saldo final
statement-unapplied = Saldo a favor sin aplicar
statement-aging = Antigüedad
