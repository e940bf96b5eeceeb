% rebase('layout.tpl', title=title, state=state)
<section id="live" class="live" aria-live="polite">
<h1 id="headline">{{view['text'].get('headline', '')}}</h1>
<p id="detail" class="detail">{{view['text'].get('detail', '')}}</p>
<p id="step" class="step">{{view['text'].get('step', '')}}</p>
<p id="side" class="side">{{view['text'].get('side', '')}}</p>
<dl class="times">
<div><dt>Hold</dt><dd id="hold">{{view['text'].get('hold', '')}}</dd></div>
<div><dt>Routine left</dt><dd id="left">{{view['text'].get('left', '')}}</dd></div>
</dl>
</section>
<div class="controls">
<form method="post" action="/control/pause" class="when-playing">
<input type="hidden" name="csrf" value="{{csrf}}">
<button class="go" type="submit">Pause</button>
</form>
<form method="post" action="/control/resume" class="when-paused">
<input type="hidden" name="csrf" value="{{csrf}}">
<button class="go" type="submit">Resume</button>
</form>
</div>
<div class="when-idle">
% if latest is not None:
<p><a class="button" href="/note/{{latest.id}}">How did “{{latest.title}}” feel? Add a note</a></p>
% end
<p><a class="button secondary" href="/">Choose a routine</a></p>
</div>
