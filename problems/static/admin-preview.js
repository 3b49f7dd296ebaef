// Live preview in the problem admin: statements rendered as learners see them (Markdown, KaTeX).
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
    // The learner's page in a frame: its styles and scripts (KaTeX) without touching the admin's.
    target.srcdoc = await response.text();
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
