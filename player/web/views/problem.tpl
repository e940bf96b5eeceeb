% rebase('layout.tpl', title=title)
<h1>Not done</h1>
<p class="problem" role="alert">{{message}}</p>
<p><a class="button" href="{{back}}">Back</a></p>
