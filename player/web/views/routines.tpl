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
<form method="post" action="/start" class="routine">
<input type="hidden" name="csrf" value="{{csrf}}">
<input type="hidden" name="routine" value="{{choice.id}}">
<h2>{{choice.title}}</h2>
<p class="length">{{choice.minutes}}</p>
% if choice.about:
<p>{{choice.about}}</p>
% end
% if len(choice.sides) > 1:
<fieldset class="sides"><legend>Sides</legend>
<label><input type="radio" name="side" value="" checked> Both</label>
% for side in choice.sides:
<label><input type="radio" name="side" value="{{side}}"> {{side.capitalize()}} only</label>
% end
</fieldset>
% end
<button class="go" type="submit">Start</button>
</form>
% end
