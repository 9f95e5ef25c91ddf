/* Registration: a new registration starts with the browser's own time zone (the participant can
   still change it). Without this script the field keeps UTC. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-preselect-time-zone]");
  if (!form) { return; }
  var input = form.querySelector("input[name=time_zone]");
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!input || !zone || (input.value && input.value !== "UTC")) { return; }
  var known = document.querySelector('#time-zone-names option[value="' + zone + '"]');
  if (known) { input.value = zone; }
})();
