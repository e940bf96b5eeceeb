% rebase('layout.tpl', title=title)
<h1>Routines you made</h1>
<p class="quiet">Saved on the player, beside its history; the shipped routines are never changed.</p>
% if not mine:
<p>None yet: start from a blank one, or from a copy below.</p>
% end
% for entry, version in mine:
<article class="routine mine" id="mine-{{entry.id}}">
<h2>{{titles[entry.id].title if entry.id in titles else entry.id}}</h2>
<p class="length">{{entry.id}}{{' · ' + titles[entry.id].minutes if entry.id in titles else ''}}</p>
<p class="links"><a class="button" href="/edit/open/{{entry.id}}">Change</a>
<a class="button secondary" href="/edit/download/{{entry.id}}">Download</a></p>
<form method="post" action="/edit/delete">
<input type="hidden" name="csrf" value="{{csrf}}">
<input type="hidden" name="routine" value="{{entry.id}}">
<input type="hidden" name="version" value="{{version}}">
<button type="submit" class="secondary danger">Delete</button>
</form>
</article>
% end
<p><a class="button" href="/edit/new">A new routine, from blank</a></p>
<h2>Start from a copy</h2>
% for entry in others:
<p class="copy"><span>{{titles[entry.id].title if entry.id in titles else entry.id}}</span>
<a class="button secondary" href="/edit/new?from={{entry.id}}">Copy</a>
<a class="button secondary" href="/edit/download/{{entry.id}}">Download</a></p>
% end
<h2>Share</h2>
<form method="post" action="/edit/upload" enctype="multipart/form-data" class="upload">
<input type="hidden" name="csrf" value="{{csrf}}">
<label for="file">A routine's .toml file</label>
<input id="file" name="file" type="file" accept=".toml,text/plain,application/toml">
<button type="submit" class="go">Upload and open</button>
</form>
<h2 id="deleted">Deleted</h2>
% if not trash:
<p class="quiet">Nothing deleted in the last 30 days.</p>
% end
% for item in trash:
<form method="post" action="/edit/restore" class="trashed">
<input type="hidden" name="csrf" value="{{csrf}}">
<input type="hidden" name="trash" value="{{item.name}}">
<p>{{item.id}}, deleted {{when(item.deleted)}}</p>
<button type="submit" class="secondary">Bring back {{item.id}}</button>
</form>
% end
