// The pay form's running total (progressive enhancement: without this
// script the review step shows the total). Amounts are added as whole
// minor units parsed from their text, never as floating-point money, and
// written the tenant's way (its locale and currency, from the form's data
// attributes) by the browser's Intl.NumberFormat, given the exact decimal
// text. The words come from the page (the message catalog).
(function () {
  "use strict";
  var form = document.querySelector("form[data-running-total]");
  if (!form) { return; }
  var out = document.getElementById("running-total");
  var digits = parseInt(form.getAttribute("data-decimals"), 10) || 0;
  var currency = form.getAttribute("data-currency") || "";
  var money = new Intl.NumberFormat(form.getAttribute("data-locale") || undefined, {
    style: "currency",
    currency: currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits
  });
  var invalid = out.getAttribute("data-invalid") || "";

  // "120.5" -> 12050 (2 digits); null when not an amount the form takes.
  function minor(text) {
    var match = /^(\d{1,12})(?:\.(\d*))?$/.exec(text.trim());
    if (!match || (match[2] || "").length > digits) { return null; }
    var fraction = (match[2] || "").padEnd(digits, "0");
    return parseInt(match[1] + fraction, 10);
  }

  // 12050 -> "120.50" -> "$120.50" (en-US, USD).
  function format(units) {
    var text = String(units).padStart(digits + 1, "0");
    var whole = text.slice(0, text.length - digits);
    var fraction = text.slice(text.length - digits);
    return money.format(digits ? whole + "." + fraction : whole);
  }

  function update() {
    var total = 0;
    var valid = true;
    form.querySelectorAll("input[name=invoice]").forEach(function (box) {
      if (!box.checked) { return; }
      var typed = form.querySelector("[name=amount_" + box.value + "]");
      var text = typed && typed.value.trim() !== "" ? typed.value : box.getAttribute("data-payable");
      var units = minor(text || "");
      if (units === null) { valid = false; } else { total += units; }
    });
    var credit = form.querySelector("input[name=use_credit][data-credit]");
    if (credit && credit.checked) {
      total = Math.max(0, total - (minor(credit.getAttribute("data-credit")) || 0));
    }
    var ahead = form.querySelector("input[name=prepayment]");
    if (ahead && ahead.value.trim() !== "") {
      var units = minor(ahead.value);
      if (units === null) { valid = false; } else { total += units; }
    }
    out.textContent = valid ? format(total) : invalid;
  }

  form.addEventListener("input", update);
  form.addEventListener("change", update);
  out.parentElement.hidden = false;
  update();
})();
