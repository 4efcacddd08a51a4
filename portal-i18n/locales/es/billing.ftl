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
