/** The built-in designs a link shows until a template is bound to it. */
import type { TemplateDesign } from '../../../src/shared/template-fields';

export const DEFAULT_RUNNER: TemplateDesign = {
  html: `<div class="card">
  <div class="bib" data-p88-field="bib" data-p88-fit>0000</div>
  <div class="name" data-p88-field="name" data-p88-fit>Runner Name</div>
  <div class="place" data-p88-field="city_state" data-p88-fit>City, ST</div>
  <div class="message" data-p88-field="message" data-p88-fit>Message</div>
  <div class="row"><span class="time"><span class="label">Time</span> <span class="elapsed" data-p88-field="elapsed">0:00:00</span></span><span class="location" data-p88-field="location">FINISH</span></div>
</div>`,
  css: `body { background: #0b1d3a; color: #fff; font-family: "Helvetica Neue", Arial, sans-serif; }
.card { position: absolute; inset: 80px 120px; display: flex; flex-direction: column; justify-content: center; gap: 24px; }
.bib { font-size: 96px; font-weight: 700; color: #ffcc00; white-space: nowrap; overflow: hidden; }
.name { font-size: 180px; font-weight: 800; line-height: 1.05; white-space: nowrap; overflow: hidden; }
.place { font-size: 72px; color: #c9d6ea; white-space: nowrap; overflow: hidden; }
.message { font-size: 64px; font-style: italic; color: #9fe3b8; height: 160px; overflow: hidden; }
.row { display: flex; gap: 64px; font-size: 64px; color: #c9d6ea; }
.time .label { font-size: 40px; text-transform: uppercase; letter-spacing: 4px; color: #8aa0c2; }
.elapsed { font-weight: 700; color: #fff; }
.time:has([data-p88-empty]) { display: none; }
[data-p88-empty] { visibility: hidden; }`,
};

export const DEFAULT_IDLE: TemplateDesign = {
  html: `<div class="idle"><div class="message" data-p88-field="idle_message" data-p88-fit>Welcome</div></div>`,
  css: `body { background: #0b1d3a; color: #fff; font-family: "Helvetica Neue", Arial, sans-serif; }
.idle { position: absolute; inset: 0; display: flex; align-items: center; justify-content: center; }
.message { width: 1600px; text-align: center; font-size: 120px; font-weight: 700; white-space: nowrap; overflow: hidden; }`,
};
