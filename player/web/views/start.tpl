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
