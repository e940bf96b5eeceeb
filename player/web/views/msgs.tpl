<ul class="msgs" data-for="{{key}}">
% for kind, line in msgs(key):
<li class="{{kind}}">{{'Advice: ' if kind == 'advice' else ''}}{{line}}</li>
% end
</ul>
