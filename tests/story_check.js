// story_check.js — copied into a lesson page by test_story.sh: steps
// through the page with the keyboard (keydown events on the document, as a
// key press gives) and the buttons, and after each move writes one line
// about the step shown: current|id|title|code|svgs|rendered|empty|bytes|memory.
addEventListener('load', function () {
  var out = [];
  var steps = document.querySelectorAll('section.step');
  function key(k) { document.dispatchEvent(new KeyboardEvent('keydown', {key: k, bubbles: true})); }
  function record(what) {
    var v = [].filter.call(steps, function (s) { return !s.hidden && s.getClientRects().length > 0; });
    if (v.length !== 1) { out.push(what + ' visible=' + v.length); return; }
    var s = v[0];
    var svgs = s.querySelectorAll('svg');
    var rendered = [].filter.call(svgs, function (g) {
      var r = g.getBoundingClientRect(), b = g.getBBox();
      return r.width > 20 && r.height > 20 && b.width > 0 && g.querySelectorAll('g.node').length > 0;
    }).length;
    var t = s.querySelector('h2 .title'), code = s.querySelector('pre.code');
    var mem = s.querySelector('tr.memory td'), empty = s.querySelector('p.empty');
    out.push([what, document.body.getAttribute('data-current'), s.id, t ? t.textContent : '',
              code ? code.textContent.replace(/\n/g, '\\n') : '', svgs.length, rendered, empty ? 'empty' : '',
              mem ? mem.getAttribute('data-bytes') : '', mem ? mem.textContent : ''].join('|'));
  }
  record('hash');                                   // the step #step=N opened
  key('Home'); record('key');                       // the first step
  for (var i = 1; i < steps.length; i++) { key('ArrowRight'); record('key'); }
  key('ArrowRight'); record('end');                 // stays at the last one
  for (var i = 1; i < steps.length; i++) key('ArrowLeft');
  record('back');                                   // back at the first
  document.getElementById('next').click(); record('button');
  var p = document.createElement('pre'); p.id = 'rg-check';
  p.textContent = out.join('\n');
  document.body.appendChild(p);
});
