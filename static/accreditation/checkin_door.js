// The door's scanner: read badge QR codes with the phone's camera and post
// each to the check-in endpoint; show the answer in the live region.
// The browser's BarcodeDetector reads the codes where it exists; elsewhere
// jsQR (npm, served from node_modules at setup) reads frames drawn on a
// canvas. Without a camera, or without JavaScript, the form below takes the
// code typed by hand. The server records a check-in once however often a
// code is seen: the same code is only sent again after a pause.
(function () {
  "use strict";
  var root = document.getElementById("door");
  var section = document.getElementById("door-scanner");
  if (!root || !section) {
    return;
  }
  var video = document.getElementById("door-video");
  var statusLine = document.getElementById("door-camera-status");
  var toggle = document.getElementById("door-camera-toggle");
  var answer = document.getElementById("door-answer");
  var form = document.getElementById("door-manual");
  var templates = document.getElementById("door-messages");
  var SAME_CODE_PAUSE = 2500; // ms before the same code is sent again
  var FRAME_EVERY = 120; // ms between two reads of the camera
  var ANSWER_WITHIN = 8000; // ms before a lost answer lets the scanner go on
  var stream = null;
  var timer = null;
  var busy = false;
  var last = { code: "", at: 0 };
  var read = null; // function (video) -> Promise<string|null>
  var canvas = document.createElement("canvas");

  function message(key) {
    var node = templates.content.querySelector('[data-key="' + key + '"]');
    return node ? node.textContent : key;
  }

  function say(key) {
    statusLine.textContent = message(key);
  }

  function field(name) {
    var input = form.querySelector('[name="' + name + '"]');
    return input ? input.value : "";
  }

  function send(code) {
    busy = true;
    var body = new FormData();
    body.append("code", code);
    body.append("meeting", field("meeting"));
    body.append("door", field("door"));
    var abort = window.AbortController ? new AbortController() : null;
    var late = window.setTimeout(function () {
      if (abort) {
        abort.abort();
      }
    }, ANSWER_WITHIN);
    return fetch(root.getAttribute("data-scan-url"), {
      method: "POST",
      signal: abort ? abort.signal : undefined,
      body: body,
      credentials: "same-origin",
      cache: "no-store",
      headers: {
        Accept: "application/json",
        "X-CSRFToken": field("csrfmiddlewaretoken"),
      },
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (data) {
        answer.innerHTML = data.html;
        if (navigator.vibrate && data.state !== "green") {
          navigator.vibrate([200, 100, 200]);
        }
      })
      .catch(function () {
        say("failed");
      })
      .then(function () {
        window.clearTimeout(late);
        busy = false;
      });
  }

  function seen(code) {
    var now = Date.now();
    if (!code || busy) {
      return;
    }
    if (code === last.code && now - last.at < SAME_CODE_PAUSE) {
      return;
    }
    last = { code: code, at: now };
    send(code);
  }

  function tick() {
    timer = null;
    if (!stream) {
      return;
    }
    var next = function () {
      if (stream) {
        timer = window.setTimeout(tick, FRAME_EVERY);
      }
    };
    if (video.readyState < 2 || busy) {
      next();
      return;
    }
    read(video)
      .then(function (code) {
        if (code) {
          seen(code);
        }
      })
      .catch(function () {})
      .then(next);
  }

  function withDetector() {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    return function (source) {
      return detector.detect(source).then(function (codes) {
        return codes.length ? codes[0].rawValue : null;
      });
    };
  }

  function withJsQR() {
    var context = canvas.getContext("2d", { willReadFrequently: true });
    return function (source) {
      var scale = Math.min(1, 640 / (source.videoWidth || 640));
      var width = Math.round((source.videoWidth || 640) * scale);
      var height = Math.round((source.videoHeight || 480) * scale);
      canvas.width = width;
      canvas.height = height;
      context.drawImage(source, 0, 0, width, height);
      var image = context.getImageData(0, 0, width, height);
      var found = window.jsQR(image.data, width, height, {
        inversionAttempts: "dontInvert",
      });
      return Promise.resolve(found ? found.data : null);
    };
  }

  function loadJsQR() {
    return new Promise(function (resolve, reject) {
      if (window.jsQR) {
        resolve();
        return;
      }
      var script = document.createElement("script");
      script.src = root.getAttribute("data-jsqr-url");
      script.onload = function () {
        if (window.jsQR) {
          resolve();
        } else {
          reject(new Error("jsQR"));
        }
      };
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function chooseReader() {
    if ("BarcodeDetector" in window) {
      return window.BarcodeDetector.getSupportedFormats()
        .then(function (formats) {
          if (formats.indexOf("qr_code") === -1) {
            throw new Error("no qr_code");
          }
          root.setAttribute("data-reader", "BarcodeDetector");
          return withDetector();
        })
        .catch(function () {
          return loadJsQR().then(function () {
            root.setAttribute("data-reader", "jsQR");
            return withJsQR();
          });
        });
    }
    return loadJsQR().then(function () {
      root.setAttribute("data-reader", "jsQR");
      return withJsQR();
    });
  }

  function stop() {
    if (stream) {
      stream.getTracks().forEach(function (track) {
        track.stop();
      });
    }
    stream = null;
    if (timer) {
      window.clearTimeout(timer);
      timer = null;
    }
    video.srcObject = null;
    video.hidden = true;
    toggle.textContent = toggle.getAttribute("data-start");
    root.removeAttribute("data-camera");
    say("stopped");
  }

  function start() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      say("nocamera");
      return;
    }
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (media) {
        stream = media;
        video.hidden = false;
        video.srcObject = media;
        return video.play();
      })
      .then(function () {
        toggle.textContent = toggle.getAttribute("data-stop");
        root.setAttribute("data-camera", "on");
        say("ready");
        tick();
      })
      .catch(function () {
        stream = null;
        video.hidden = true;
        toggle.textContent = toggle.getAttribute("data-start");
        say("nocamera");
      });
  }

  section.hidden = false;
  toggle.addEventListener("click", function () {
    if (stream) {
      stop();
    } else {
      start();
    }
  });
  chooseReader()
    .then(function (reader) {
      read = reader;
      start();
    })
    .catch(function () {
      toggle.hidden = true;
      video.hidden = true;
      say("noscanner");
    });
})();
