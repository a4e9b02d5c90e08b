#!/usr/bin/env node
// The page `infera serve` answers at /, in a real browser: Debian's headless Chromium driven by
// Playwright (playwright-core from npm, which never downloads a browser of its own).
//
//   node tests/browser/web_page_test.js BUILD_DIR
//
// Serves models/fashion_mnist on 127.0.0.1, opens /, uploads Fashion-MNIST PNGs and checks the
// page shows exactly what `infera predict` answers for the same files; then draws on the canvas
// and checks the answer shown equals `infera predict` on the very PNG the page sent. Saves
// screenshots to BUILD_DIR/web_page_upload.png and BUILD_DIR/web_page_draw.png.
"use strict";
const { spawn, execFileSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");
const readline = require("readline");
const { chromium } = require("playwright-core");

const root = path.resolve(__dirname, "../..");
const build = path.resolve(process.argv[2] || path.join(root, "build"));
const infera = path.join(build, "infera");
const model = path.join(root, "models/fashion_mnist/fashion_mnist_cnn.onnx");
const spec = path.join(root, "models/fashion_mnist/fashion_mnist_cnn.pipeline.json");
const labels = JSON.parse(fs.readFileSync(spec, "utf8")).labels;

let checks = 0;
const failures = [];
function check(condition, message) {
  checks++;
  if (!condition) {
    failures.push(message);
    console.log("FAIL:", message);
  }
}

function inferaPredict(file) {
  return JSON.parse(execFileSync(infera, ["predict", model, file, "--json"], { encoding: "utf8" }));
}

function startServer(repository, logPath) {
  const server = spawn(infera, ["serve", "--model-repository", repository, "--port", "0",
                                "--host", "127.0.0.1"],
                       { stdio: ["ignore", "pipe", fs.openSync(logPath, "w")] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("server did not start in 60 s")), 60000);
    server.on("exit", (code) => reject(new Error(`server exited with ${code}: ` +
                                                 fs.readFileSync(logPath, "utf8").slice(-2000))));
    readline.createInterface({ input: server.stdout }).once("line", (line) => {
      clearTimeout(timer);
      server.removeAllListeners("exit");
      const match = /listening on .*:(\d+)/.exec(line);
      if (!match) return reject(new Error("unexpected first line: " + line));
      resolve({ server, port: Number(match[1]) });
    });
  });
}

// What the page shows: the label, and the top-k rows with their exact probabilities.
async function shownAnswer(page) {
  return page.evaluate(() => ({
    label: document.getElementById("result-label").textContent,
    confidence: document.getElementById("result-confidence").textContent,
    topK: [...document.querySelectorAll("#top-k li")].map((li) => ({
      label: li.querySelector(".name").textContent,
      index: Number(li.dataset.index),
      probability: Number(li.dataset.probability),
      percent: li.querySelector(".percent").textContent,
      barWidth: li.querySelector(".bar > div").style.width,
    })),
    error: document.getElementById("error").hidden ? "" : document.getElementById("error").textContent,
  }));
}

function compareWithPredict(shown, expected, what) {
  check(shown.error === "", `${what}: the page shows an error: ${shown.error}`);
  check(shown.label === expected.label, `${what}: label ${shown.label} != infera predict's ${expected.label}`);
  check(shown.confidence === (expected.confidence * 100).toFixed(2) + "% confident",
        `${what}: confidence text '${shown.confidence}' for ${expected.confidence}`);
  check(shown.topK.length === expected.top_k.length,
        `${what}: ${shown.topK.length} top-k rows, infera predict gives ${expected.top_k.length}`);
  expected.top_k.forEach((entry, i) => {
    const row = shown.topK[i] || {};
    check(row.label === entry.label && row.index === entry.index && row.probability === entry.probability,
          `${what}: top-k row ${i} ${JSON.stringify(row)} != ${JSON.stringify(entry)}`);
    check(Math.abs(parseFloat(row.barWidth) - Math.max(0.5, entry.probability * 100)) < 1e-3,
          `${what}: bar ${i} is ${row.barWidth} wide for p=${entry.probability}`);
  });
}

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "infera_web_test_"));
  const repository = path.join(work, "repo");
  fs.mkdirSync(path.join(repository, "fashion_mnist", "1"), { recursive: true });
  fs.copyFileSync(model, path.join(repository, "fashion_mnist", "1", "model.onnx"));
  fs.copyFileSync(spec, path.join(repository, "fashion_mnist", "pipeline.json"));
  fs.writeFileSync(path.join(repository, "fashion_mnist", "config.json"),
                   JSON.stringify({ max_batch_size: 8, max_queue_delay_us: 1000, pipeline: "pipeline.json" }));
  const pngs = path.join(work, "pngs");
  execFileSync("/usr/bin/python3", [path.join(root, "tests/fixtures/make_fashion_pngs.py"), pngs, "3"]);

  const { server, port } = await startServer(repository, path.join(work, "server.log"));
  const browser = await chromium.launchPersistentContext(path.join(work, "chromium-profile"), {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run"],
    viewport: { width: 1040, height: 720 },
  });
  try {
    const page = browser.pages()[0] || (await browser.newPage());
    const problems = [];
    page.on("console", (message) => { if (message.type() === "error") problems.push(message.text()); });
    page.on("pageerror", (error) => problems.push(String(error)));
    const outside = [];
    page.on("request", (request) => {
      if (!request.url().startsWith(`http://127.0.0.1:${port}/`) && !/^(data|blob):/.test(request.url()))
        outside.push(request.url());
    });

    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => document.getElementById("model").options.length > 0);
    check((await page.inputValue("#model")) === "fashion_mnist", "the Fashion-MNIST model is picked");

    // Uploads: the page's answer must be infera predict's, to the bit.
    let answered = 0;
    for (const name of ["00000.png", "00002.png"]) {
      const file = path.join(pngs, name);
      await page.setInputFiles("#file", file);
      answered++;
      await page.waitForSelector(`body[data-answered="${answered}"]`, { timeout: 30000 });
      compareWithPredict(await shownAnswer(page), inferaPredict(file), `upload ${name}`);
    }
    await page.screenshot({ path: path.join(build, "web_page_upload.png") });

    // Drawing: a pair of trousers in one stroke. Keep the PNG the page sends and ask infera predict about it.
    await page.click("#tab-draw");
    const sent = page.waitForRequest((r) => r.url().endsWith("/predict") && r.method() === "POST");
    const box = await page.locator("#canvas").boundingBox();
    const stroke = async (points) => {
      await page.mouse.move(box.x + points[0][0], box.y + points[0][1]);
      await page.mouse.down();
      for (const [x, y] of points.slice(1)) await page.mouse.move(box.x + x, box.y + y, { steps: 8 });
      await page.mouse.up();
    };
    await stroke([[95, 250], [110, 30], [170, 30], [185, 250]]);
    const request = await sent;
    answered++;
    await page.waitForSelector(`body[data-answered="${answered}"]`, { timeout: 30000 });
    check(request.headers()["content-type"] === "image/png", "the drawing is sent as a raw image/png body");
    const drawn = await shownAnswer(page);
    // A Blob body is not visible to Playwright; the canvas it was encoded from is.
    const dataUrl = await page.evaluate(() => document.getElementById("model-input").toDataURL("image/png"));
    const sentPng = Buffer.from(dataUrl.split(",")[1], "base64");
    check(sentPng.length > 8, "the drawing's PNG can be read from the page");
    {
      const drawnFile = path.join(work, "drawn.png");
      fs.writeFileSync(drawnFile, sentPng);
      const expected = inferaPredict(drawnFile);
      check(expected.image[0] === 28 && expected.image[1] === 28,
            `the drawing is shrunk to the model's 28x28, not ${expected.image}`);
      compareWithPredict(drawn, expected, "drawing");
    }
    check(labels.includes(drawn.label), `the drawing's answer '${drawn.label}' is a Fashion-MNIST label`);
    await page.screenshot({ path: path.join(build, "web_page_draw.png") });

    check(problems.length === 0, `no console errors: ${problems.join(" | ")}`);

    // A model-side refusal is shown, not swallowed.
    await page.click("#tab-upload");
    const bogus = path.join(work, "not_an_image.png");
    fs.writeFileSync(bogus, "hello, I am text");
    await page.setInputFiles("#file", bogus);
    await page.waitForSelector("#error:not([hidden])", { timeout: 30000 });
    const error = await page.textContent("#error");
    check(/not an image/.test(error) && /not_an_image\.png/.test(error),
          `a bad upload shows the server's message naming the file: ${error}`);

    check(outside.length === 0, `the page loads nothing from elsewhere: ${outside.join(" ")}`);
  } finally {
    await browser.close();
    const exited = new Promise((resolve) => server.once("exit", resolve));
    server.kill("SIGTERM");
    check((await exited) === 0, "the server exits 0 on SIGTERM");
  }
  fs.rmSync(work, { recursive: true, force: true });
  if (failures.length) {
    console.log(`${failures.length} of ${checks} checks failed`);
    process.exit(1);
  }
  console.log(`web page: all ${checks} checks passed; screenshots in ${build}/web_page_{upload,draw}.png`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
