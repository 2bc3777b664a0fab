// Veridoc capture page, liveness: films a few seconds of the person with
// the front camera, one prompt at a time (the session's challenge), and
// returns the frames (JPEG blobs with their times in ms since the start).
// No file can stand in for them: there is no picker.
(function () {
  "use strict";
  var prompts = {
    turn_left: "Turn your head slowly to your left",
    turn_right: "Turn your head slowly to your right",
    look_up: "Look up",
    blink: "Blink",
    move_closer: "Move closer to the camera"
  };

  // plan lists what to ask and how many frames to take after a pause that
  // leaves time to react. A blink is short: its frames come faster.
  function plan(steps) {
    var out = [{ prompt: "Look straight at the camera", wait: 900, frames: 3, gap: 250 }];
    if (!steps.length) {
      out[0].frames = 10; out[0].gap = 200;
      return out;
    }
    steps.forEach(function (s) {
      out.push(s === "blink" ? { prompt: prompts[s], wait: 700, frames: 7, gap: 120 } : { prompt: prompts[s], wait: 800, frames: 4, gap: 250 });
    });
    out.push({ prompt: "Look straight at the camera again", wait: 700, frames: 2, gap: 250 });
    return out;
  }

  // problems are the frame check's answers in words for the person.
  var problems = {
    NO_FACE: "We cannot see your face. Look straight at the camera with your face in the oval, then try again.",
    SEVERAL_FACES: "Only you should be in front of the camera. Try again alone.",
    TOO_DARK: "It is too dark: face a window or a lamp, then try again."
  };

  var sleep = function (ms) { return new Promise(function (r) { setTimeout(r, ms); }); };

  // cameraError turns getUserMedia's refusal into words for the person.
  function cameraError(e) {
    if (e && (e.name === "NotAllowedError" || e.name === "SecurityError")) {
      return "Camera access was denied. Allow the camera for this page in your browser's settings, then try again.";
    }
    if (e && (e.name === "NotFoundError" || e.name === "OverconstrainedError")) { return "No front camera was found on this device."; }
    return "The camera could not be started. Close other apps that use it and try again.";
  }

  // brightness is the frame's mean luma (0–255) on a small copy.
  function brightness(video) {
    var c = document.createElement("canvas"); c.width = 32; c.height = 24;
    var g = c.getContext("2d"); g.drawImage(video, 0, 0, 32, 24);
    var d = g.getImageData(0, 0, 32, 24).data, sum = 0;
    for (var i = 0; i < d.length; i += 4) { sum += 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2]; }
    return sum / (d.length / 4);
  }

  function grab(video, canvas) {
    var g = canvas.getContext("2d");
    g.drawImage(video, 0, 0, canvas.width, canvas.height);
    return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", 0.85); });
  }

  // film asks for the steps and takes the frames; show(text) displays the
  // prompt. It rejects with a message for the person. check(blob), when
  // given, asks the server what the first frame shows (session.check_frame):
  // its answer comes while the first prompt waits, and a frame with no
  // face, several or too little light stops the filming at the next prompt
  // with words for the person. It never delays the prompts (the fake
  // camera of the browser test plays the plan's timeline), and a check
  // that fails leaves the judging to the server.
  function film(video, steps, show, check) {
    return navigator.mediaDevices.getUserMedia({ video: { facingMode: "user", width: { ideal: 640 }, height: { ideal: 480 } }, audio: false })
      .then(function (stream) {
        video.srcObject = stream;
        var stop = function () { stream.getTracks().forEach(function (t) { t.stop(); }); };
        return video.play().then(function () { return sleep(300); }).then(function () {
          if (brightness(video) < 40) { throw new Error("It is too dark: face a window or a lamp, then start again."); }
          var canvas = document.createElement("canvas");
          var w = video.videoWidth || 640, h = video.videoHeight || 480;
          canvas.width = 640; canvas.height = Math.round(640 * h / w);
          var frames = [], t0 = performance.now(), verdict = null;
          if (check) {
            grab(video, canvas).then(check).then(function (r) { verdict = r; }, function () { /* judged later */ });
          }
          // halt stops the filming once the check has found a problem.
          var halt = function () {
            if (verdict && !verdict.ok) { throw new Error(problems[verdict.problem] || "The camera does not show you clearly; try again."); }
          };
          var chain = Promise.resolve();
          plan(steps).forEach(function (p) {
            chain = chain.then(function () { halt(); show(p.prompt); return sleep(p.wait); }).then(function () {
              var shots = Promise.resolve();
              for (var i = 0; i < p.frames; i++) {
                shots = shots.then(function () {
                  halt();
                  var t = Math.round(performance.now() - t0);
                  return grab(video, canvas).then(function (b) { frames.push({ blob: b, t: t }); return sleep(p.gap); });
                });
              }
              return shots;
            });
          });
          return chain.then(function () { halt(); return frames; }).then(function (f) { stop(); show("Done."); return f; }, function (e) { stop(); throw e; });
        }, function (e) { stop(); throw e; });
      }, function (e) { throw new Error(cameraError(e)); });
  }

  // form is the liveness upload: the frames as file parts, their times.
  function form(nonce, frames) {
    var f = new FormData();
    f.append("kind", "liveness");
    f.append("nonce", nonce);
    frames.forEach(function (fr, i) { f.append("frame", fr.blob, "frame" + i + ".jpg"); });
    f.append("frame_times", frames.map(function (fr) { return fr.t; }).join(","));
    return f;
  }

  window.VeridocLiveness = { film: film, form: form, plan: plan, problems: problems };
})();
