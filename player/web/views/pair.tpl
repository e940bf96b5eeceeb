% rebase('layout.tpl', title=title)
<h1>Pair this phone</h1>
<p>On the player, run <code>routine-player web pair</code> and type the code it prints.</p>
<form method="post" action="/pair" class="pair">
<input type="hidden" name="nonce" value="{{nonce}}">
<label for="code">Pairing code</label>
<input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="20" required autofocus>
<button class="go" type="submit">Pair</button>
</form>
