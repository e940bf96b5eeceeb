// The routine editor: checks the routine as you type, as the Check button does, and puts each
// line beside the field it names, with the planned length. Without JavaScript, Check does it.
"use strict";
(function () {
  const form = document.getElementById("editor");
  if (!form) return;
  let timer = null;
  let asked = 0;
  function show(checked) {
    for (const list of form.querySelectorAll("ul.msgs")) {
      const key = list.dataset.for;
      const lines = [
        ...(checked.problems[key] || []).map((line) => ["problem", line]),
        ...(checked.advice[key] || []).map((line) => ["advice", "Advice: " + line]),
      ];
      list.replaceChildren(
        ...lines.map(([kind, line]) => {
          const item = document.createElement("li");
          item.className = kind;
          item.textContent = line;
          return item;
        })
      );
    }
    document.getElementById("length").textContent = checked.length || "not yet a routine";
  }
  async function check() {
    const mine = ++asked;
    const body = new URLSearchParams(new FormData(form));
    const reply = await fetch("/edit/check", { method: "POST", body: body });
    if (reply.ok && mine === asked) show(await reply.json());
  }
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(check, 500);
  });
})();
