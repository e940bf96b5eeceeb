% rebase('layout.tpl', title=title)
% note = session.note
<h1>How did it feel?</h1>
<p>{{session.title}}: {{clock(session.played_seconds)}} played, {{session.ending}}.</p>
<form method="post" action="/note/{{session.id}}" class="note">
<input type="hidden" name="csrf" value="{{csrf}}">
<label for="effort">Effort, 0 (none) to 10 (all I had)</label>
<input id="effort" name="effort" type="number" inputmode="numeric" min="0" max="10" required value="{{note.effort if note else 5}}">
<label for="pain">Pain, 0 (none) to 10 (the worst)</label>
<input id="pain" name="pain" type="number" inputmode="numeric" min="0" max="10" required value="{{note.pain if note else 0}}">
<label for="where">Where it hurt</label>
<input id="where" name="where" maxlength="{{limits.MAX_WHERE}}" value="{{note.where if note else ''}}">
<label for="text">Anything else</label>
<textarea id="text" name="text" rows="4" maxlength="{{limits.MAX_TEXT}}">{{note.text if note else ''}}</textarea>
<button class="go" type="submit">Save the note</button>
</form>
