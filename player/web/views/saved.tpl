% rebase('layout.tpl', title=title, refresh=refresh)
<h1>Saved: {{choice.title if choice else entry.id}}</h1>
% if broken:
<p class="problem" role="alert">The player cannot play it: {{broken}}</p>
% elif ready and choice:
<p class="ready" id="ready">Ready to start.</p>
% include('start.tpl', choice=choice)
% else:
<p id="preparing" aria-live="polite">The player is preparing its speech; this page looks again every {{refresh}} seconds.</p>
% end
<p><a class="button secondary" href="/edit/open/{{entry.id}}">Change it again</a></p>
<p><a class="button secondary" href="/edit">Routines you made</a></p>
