<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{title}} · routine-player</title>
% if get('refresh'):
<meta http-equiv="refresh" content="{{refresh}}">
% end
<link rel="stylesheet" href="/static/style.css">
<script src="/static/app.js" defer></script>
<script src="/static/editor.js" defer></script>
% if get('refresh'):
<meta http-equiv="refresh" content="{{refresh}}">
% end
</head>
<body data-state="{{get('state', 'idle')}}">
% if csrf:
<nav><a href="/">Routines</a><a href="/now">Now</a><a href="/history">History</a><a href="/edit">Edit</a></nav>
% end
<main>
{{!base}}
</main>
% if csrf:
<form class="stopbar" method="post" action="/control/stop">
<input type="hidden" name="csrf" value="{{csrf}}">
<button class="stop" type="submit">Stop</button>
</form>
% end
</body>
</html>
