% rebase('layout.tpl', title=title)
<h1>Pair this phone</h1>
<p>Ask the player: it says that a phone asks to join, with a word this phone shows. Press its
button once to allow it.</p>
<form method="post" action="/pair/ask" class="pair">
<input type="hidden" name="nonce" value="{{nonce}}">
<button class="go" type="submit">Ask the player</button>
</form>
<h2>Or with a code</h2>
<p>For a player without a speaker: on the player, run <code>routine-player web pair</code> and
type the code it prints.</p>
<form method="post" action="/pair" class="pair">
<input type="hidden" name="nonce" value="{{nonce}}">
<label for="code">Pairing code</label>
<input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="20" required>
<button type="submit">Pair</button>
</form>
