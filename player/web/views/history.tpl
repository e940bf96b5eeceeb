% rebase('layout.tpl', title=title)
<h1>{{'This week' if week == 0 else 'Last week' if week == 1 else f'{week} weeks ago'}}</h1>
<p class="weeknav"><a href="/history?week={{week + 1}}">← Earlier</a>
% if week:
<a href="/history?week={{week - 1}}">Later →</a>
% end
</p>
{{!chart}}
<p>{{clock(total * 60)}} played in all.</p>
% if not any(days.values()):
<p class="quiet">No sessions this week.</p>
% end
% for day, sessions in reversed(days.items()):
% if sessions:
<h2>{{day.strftime('%A %d %B')}}</h2>
% end
% for s in sessions:
<article id="session-{{s.id}}" class="session">
<p><strong>{{s.title}}</strong> at {{hour(s.started)}}: {{clock(s.played_seconds)}}, {{s.ending}}{{f' at step {s.step}' if s.step and s.ending != 'completed' else ''}}</p>
% if s.note:
<p class="noted">Effort {{s.note.effort}}, pain {{s.note.pain}}{{f' ({s.note.where})' if s.note.where else ''}}{{f': {s.note.text}' if s.note.text else ''}} <a href="/note/{{s.id}}">Change</a></p>
% else:
<p><a href="/note/{{s.id}}">Add a note</a></p>
% end
</article>
% end
% end
<p class="exports">Export everything: <a href="/export.csv">CSV</a> · <a href="/export.json">JSON</a></p>
