% rebase('layout.tpl', title=title, refresh=2)
<h1>Waiting for the button</h1>
<p>The player is saying that a phone asks to join. This phone shows the word:</p>
<p class="word" id="word">{{word}}</p>
<p>If the player said <strong>{{word}}</strong>, press its button once, within half a minute.
A long press refuses. This page goes on by itself once the button is pressed.</p>
<p><a class="button" href="/pair/wait">Check now</a></p>
