// The session page, kept up to date by server-sent events: no polling loop in the page.
// Without JavaScript every button still works: each is a plain form.
"use strict";
(function () {
  if (!document.getElementById("live")) return;
  const events = new EventSource("/events");
  events.onmessage = function (message) {
    const view = JSON.parse(message.data);
    document.body.dataset.state = view.state;
    for (const [id, text] of Object.entries(view.text)) {
      const element = document.getElementById(id);
      if (element && element.textContent !== text) element.textContent = text;
    }
  };
})();
