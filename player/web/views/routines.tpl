% rebase('layout.tpl', title=title, state=state)
% if status['state'] not in ('idle', 'unreachable'):
<p class="banner"><a href="/now">{{status['text']['headline']}} is {{status['state']}}: see it</a></p>
% elif status['state'] == 'unreachable':
<p class="problem" role="alert">The player does not answer: {{status['text']['detail']}}</p>
% end
<h1>Routines</h1>
% if not choices:
<p>No routine can be played: run <code>routine-player check</code> on the player.</p>
% end
% for choice in choices.values():
% include('start.tpl', choice=choice)
% end
