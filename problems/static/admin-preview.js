// Live preview in the problem admin: statements rendered as learners see them, math included.
(function () {
  const script = document.currentScript;
  const url = script.dataset.previewUrl;
  const csrf = document.querySelector("[name=csrfmiddlewaretoken]");
  const fields = ["statement_ja", "statement_en"];

  async function render(name) {
    const source = document.getElementById("id_" + name);
    const target = document.getElementById("preview-" + name);
    if (!source || !target) return;
    const body = new URLSearchParams({ text: source.value });
    const response = await fetch(url, {
      method: "POST",
      headers: { "X-CSRFToken": csrf ? csrf.value : "" },
      body,
      credentials: "same-origin",
    });
    target.innerHTML = await response.text();
    if (window.renderMathInElement) {
      window.renderMathInElement(target, {
        delimiters: [
          { left: "$$", right: "$$", display: true },
          { left: "$", right: "$", display: false },
        ],
        throwOnError: false,
      });
    }
  }

  function debounce(fn, ms) {
    let timer;
    return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
  }

  fields.forEach((name) => {
    const source = document.getElementById("id_" + name);
    if (!source) return;
    source.addEventListener("input", debounce(() => render(name), 300));
    render(name);
  });
})();
