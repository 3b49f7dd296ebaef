"""Script-injection payloads for problem statements, shared by the unit and the browser tests.

Each payload, if it ever ran, would call `window.__xss()`; the browser test defines that."""

XSS_PAYLOADS = [
    # The payload: a math span that closes the title attribute.
    '<a href="https://e.com" title="$" onfocus=__xss() autofocus tabindex=1 x=$">x</a>',
    # Display math closing an attribute.
    '<a href="https://e.com" title="$$" onmouseover=__xss() style=x x=$$">y</a>',
    # \\( \\) math closing an attribute.
    '<a href="https://e.com" title="\\(" onfocus=__xss() autofocus x=\\)">z</a>',
    # A math span as the whole URL.
    '<a href="$javascript:__xss()$">click</a>',
    "[link](javascript:__xss())",
    '<a href="JaVaScRiPt:__xss()">caps</a>',
    "<img src=x onerror=__xss()>",
    "<script>__xss()</script>",
    '<svg onload="__xss()"><circle r="1"/></svg>',
    "<svg><script>__xss()</script></svg>",
    "[data](data:text/html;base64,PHNjcmlwdD5wYXJlbnQuX194c3MoKTwvc2NyaXB0Pg==)",
    '<iframe src="javascript:__xss()"></iframe>',
    '<iframe srcdoc="<script>parent.__xss()</script>"></iframe>',
    '<form action="javascript:__xss()"><button>go</button></form>',
    '<p style="background:url(javascript:__xss())">style</p>',
    '<div style="width: expression(__xss())">expression</div>',
    # Mermaid labels with HTML and click directives.
    '```mermaid\ngraph TD\n  A["<img src=x onerror=__xss()>"] --> B\n  click A call __xss()\n'
    '  click B "javascript:__xss()"\n```',
    '<pre class="mermaid">graph TD\nA["<img src=x onerror=__xss()>"]-->B\nclick A __xss</pre>',
    # Math containing tags and quotes.
    '$x" onmouseover="__xss()$ and $<img src=x onerror=__xss()>$',
    "$$</code><script>__xss()</script>$$",
    "<details open ontoggle=__xss()>t</details>",
    '<math><mtext><a href="javascript:__xss()">m</a></mtext></math>',
]
