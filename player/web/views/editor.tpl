% rebase('layout.tpl', title=title)
<h1>{{'Change “' + draft.title + '”' if draft.version else 'A new routine'}}</h1>
% if note:
<p class="problem" role="alert">{{note}}</p>
% end
<form id="editor" method="post" action="/edit" class="editor">
<button type="submit" name="op" value="check" class="default">Check</button>
<input type="hidden" name="csrf" value="{{csrf}}">
<input type="hidden" name="version" value="{{draft.version}}">
<input type="hidden" name="steps" value="{{len(draft.steps)}}">
<p class="length">Planned length: <strong id="length">{{checked.length or 'not yet a routine'}}</strong></p>
% include('msgs.tpl', key='')
<label for="id">Id, the file's name: letters, digits, dashes</label>
% if draft.version:
<input id="id" name="id" value="{{draft.id}}" readonly>
% else:
<input id="id" name="id" value="{{draft.id}}" autocapitalize="none" spellcheck="false" maxlength="64">
% end
% include('msgs.tpl', key='id')
<label for="title">Title, spoken first</label>
<input id="title" name="title" value="{{draft.title}}">
% include('msgs.tpl', key='title')
<label for="about">About, one line for the list</label>
<input id="about" name="about" value="{{draft.about}}">
% include('msgs.tpl', key='about')
<label for="sides">Sides, with commas (empty: none)</label>
<input id="sides" name="sides" value="{{draft.sides}}" placeholder="left, right" autocapitalize="none">
% include('msgs.tpl', key='sides')
<label class="check"><input type="checkbox" name="progress" {{'checked' if draft.progress else ''}}> Say when the side changes and when halfway</label>
<fieldset class="chimes"><legend>Chimes on every hold</legend>
% for name, said in (('start', 'When it starts'), ('end', 'When it ends'), ('halfway', 'Halfway')):
<label class="check"><input type="checkbox" name="chimes.{{name}}" {{'checked' if draft.chimes.get(name) else ''}}> {{said}}</label>
% end
<label for="chimes.every">A tick every so many seconds (0: none)</label>
<input id="chimes.every" name="chimes.every" inputmode="numeric" value="{{draft.chimes.get('every', '')}}">
% include('msgs.tpl', key='chimes.every')
<label for="chimes.countdown">Ticks on the last seconds (0 to 10)</label>
<input id="chimes.countdown" name="chimes.countdown" inputmode="numeric" value="{{draft.chimes.get('countdown', '')}}">
% include('msgs.tpl', key='chimes.countdown')
% include('msgs.tpl', key='chimes.start')
% include('msgs.tpl', key='chimes.end')
% include('msgs.tpl', key='chimes.halfway')
</fieldset>
% for n, step in enumerate(draft.steps, 1):
% key = f'step-{n}'
<fieldset class="editstep" id="{{key}}"><legend>Step {{n}}</legend>
<label for="{{key}}.say">What is said</label>
<textarea id="{{key}}.say" name="{{key}}.say" rows="3" {{'autofocus' if focus == n else ''}}>{{step.say}}</textarea>
% include('msgs.tpl', key=key + '.say')
<div class="numbers">
<div><label for="{{key}}.hold">Hold, seconds</label>
<input id="{{key}}.hold" name="{{key}}.hold" inputmode="decimal" value="{{step.hold}}" placeholder="none"></div>
<div><label for="{{key}}.rest">Rest after, seconds</label>
<input id="{{key}}.rest" name="{{key}}.rest" inputmode="decimal" value="{{step.rest}}" placeholder="0"></div>
</div>
% include('msgs.tpl', key=key + '.hold')
% include('msgs.tpl', key=key + '.rest')
<label class="check"><input type="checkbox" name="{{key}}.wait" {{'checked' if step.wait else ''}}> Wait for a press before going on</label>
<label class="check"><input type="checkbox" name="{{key}}.each_side" {{'checked' if step.each_side else ''}}> Once for each side</label>
% include('msgs.tpl', key=key + '.wait')
% include('msgs.tpl', key=key + '.each_side')
% if step.chimes:
<input type="hidden" name="{{key}}.chimes" value="{{step.chimes}}">
<p class="quiet">This step has chimes of its own, kept as they are.</p>
% end
% include('msgs.tpl', key=key + '.chimes')
<div class="stepops">
<button type="submit" name="op" value="up:{{n}}" class="secondary" aria-label="Move step {{n}} up">↑ Up</button>
<button type="submit" name="op" value="down:{{n}}" class="secondary" aria-label="Move step {{n}} down">↓ Down</button>
<button type="submit" name="op" value="remove:{{n}}" class="secondary danger" aria-label="Remove step {{n}}">Remove</button>
</div>
</fieldset>
% end
<button type="submit" name="op" value="add" class="secondary">Add a step</button>
<div class="saveops">
<button type="submit" name="op" value="check" class="secondary">Check</button>
<button type="submit" name="op" value="save" class="go">Save</button>
</div>
</form>
