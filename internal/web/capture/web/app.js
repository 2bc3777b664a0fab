// Veridoc capture page: the end user's side of a verification session. It
// talks only to the token-scoped methods (session.current, session.upload,
// session.check_frame, session.submit) with the token from the URL, and loads nothing from elsewhere.
(function () {
  "use strict";
  var token = decodeURIComponent(location.pathname.split("/").pop() || "");
  var $ = function (sel, root) { return (root || document).querySelector(sel); };
  var status = $("#status");
  var session = null;

  function call(method, body) {
    return fetch("/api/v1/" + method, {
      method: "POST",
      headers: { "Authorization": "Bearer " + token, "Content-Type": "application/json" },
      body: JSON.stringify(body || {})
    }).then(function (r) {
      return r.json().then(function (j) {
        if (!r.ok) { var e = new Error(j.error_message || ("HTTP " + r.status)); e.name = j.error_name || "Error"; e.status = r.status; throw e; }
        return j;
      });
    });
  }

  // checkFrame asks whether a camera frame shows one face in enough light.
  function checkFrame(blob) {
    return new Promise(function (resolve, reject) {
      var r = new FileReader();
      r.onload = function () { resolve(String(r.result).split(",")[1]); };
      r.onerror = reject;
      r.readAsDataURL(blob);
    }).then(function (b64) { return call("session.check_frame", { image: b64 }); });
  }

  // upload sends one image as multipart with progress.
  function upload(kind, blob, bar) {
    var form = new FormData();
    form.append("kind", kind);
    form.append("image", blob, kind + ".jpg");
    return post(form, bar);
  }

  // post sends a multipart form to session.upload with progress (XHR
  // reports upload progress, fetch does not).
  function post(form, bar) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open("POST", "/api/v1/session.upload");
      xhr.setRequestHeader("Authorization", "Bearer " + token);
      xhr.upload.onprogress = function (e) { if (e.lengthComputable) { bar.value = Math.round(100 * e.loaded / e.total); } };
      xhr.onload = function () {
        var j = {};
        try { j = JSON.parse(xhr.responseText); } catch (_) { /* keep {} */ }
        if (xhr.status >= 200 && xhr.status < 300) { resolve(j); } else { reject(new Error(j.error_message || ("HTTP " + xhr.status))); }
      };
      xhr.onerror = function () { reject(new Error("The upload failed; check your connection and try again.")); };
      xhr.send(form);
    });
  }

  function setupStep(section) {
    var kind = section.dataset.kind;
    var box = $(".capture", section);
    box.appendChild(document.importNode($("#capture-tpl").content, true));
    var img = $("img", box), ph = $(".placeholder", box), bar = $("progress", box), msg = $(".msg", box);
    var live = $(".live", box), video = $("video", box), stream = null;

    function send(blob) {
      msg.textContent = "Uploading…"; msg.className = "msg"; bar.hidden = false; bar.value = 0;
      img.src = URL.createObjectURL(blob); img.hidden = false; ph.hidden = true;
      upload(kind, blob, bar).then(function () {
        bar.value = 100; msg.textContent = "Uploaded."; section.classList.add("done");
        session[kind] = true; refresh();
      }, function (e) {
        msg.textContent = e.message; msg.className = "msg err";
      });
    }
    $("input[type=file]", box).addEventListener("change", function (e) {
      if (e.target.files && e.target.files[0]) { send(e.target.files[0]); }
    });
    var camera = $(".camera", box);
    if (!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia)) { camera.hidden = true; }
    camera.addEventListener("click", function () {
      var facing = kind === "selfie" ? "user" : "environment";
      navigator.mediaDevices.getUserMedia({ video: { facingMode: facing, width: { ideal: 1920 } } }).then(function (s) {
        stream = s; video.srcObject = s; live.hidden = false; video.play();
      }, function () { msg.textContent = "The camera is not available; choose a photo instead."; msg.className = "msg err"; });
    });
    $(".shoot", box).addEventListener("click", function () {
      var c = document.createElement("canvas");
      c.width = video.videoWidth; c.height = video.videoHeight;
      c.getContext("2d").drawImage(video, 0, 0);
      stream.getTracks().forEach(function (t) { t.stop(); });
      live.hidden = true;
      c.toBlob(function (b) { send(b); }, "image/jpeg", 0.92);
    });
  }

  // setupLive films the liveness frames in the selfie's place.
  function setupLive(section) {
    var box = $(".capture", section);
    box.appendChild(document.importNode($("#live-tpl").content, true));
    var video = $("video", box), prompt = $(".prompt", box), start = $(".start", box), bar = $("progress", box), msg = $(".msg", box);
    $("h2", section).lastChild.textContent = " Selfie video";
    $("p", section).textContent = "A few seconds of video show that you are here. Fit your face in the oval and follow the prompts.";
    var steps = (session.challenge && session.challenge.steps) || [];
    if (!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia)) {
      start.disabled = true; msg.textContent = "This browser cannot use the camera; open the link in another browser or on your phone."; msg.className = "msg err";
      return;
    }
    start.addEventListener("click", function () {
      start.disabled = true; msg.textContent = ""; msg.className = "msg";
      window.VeridocLiveness.film(video, steps, function (t) { prompt.textContent = t; }, checkFrame).then(function (frames) {
        msg.textContent = "Uploading…"; bar.hidden = false; bar.value = 0;
        return post(window.VeridocLiveness.form(session.challenge.nonce, frames), bar);
      }).then(function () {
        bar.value = 100; msg.textContent = "Uploaded."; section.classList.add("done");
        session.liveness_frames = true; refresh();
      }, function (e) {
        prompt.textContent = ""; msg.textContent = e.message; msg.className = "msg err"; start.disabled = false; start.textContent = "Try again";
      });
    });
  }

  function liveness() { return session.liveness && session.liveness !== "none"; }

  function refresh() {
    var face = liveness() ? session.liveness_frames : (!session.face_verification || session.selfie);
    var ready = session.document_front && face;
    $("#submit").disabled = !ready;
    status.textContent = ready ? "Ready to submit." : "Add the photos below.";
  }

  function showOutcome(state) {
    var ok = state === "APPROVED", out = $("#outcome");
    document.querySelectorAll(".step, #actions").forEach(function (n) { n.hidden = true; });
    out.hidden = false;
    if (state === "PROCESSING") {
      out.className = ""; $("#outcome-icon").textContent = "…";
      $("#outcome-title").textContent = "Checking your documents";
      $("#outcome-text").textContent = "This usually takes a few seconds.";
      status.textContent = "Submitted.";
      return;
    }
    out.className = ok ? "ok" : "bad";
    $("#outcome-icon").textContent = ok ? "✓" : "✕";
    $("#outcome-title").textContent = ok ? "Verified" : (state === "EXPIRED" ? "This link has expired" : "We could not verify you");
    $("#outcome-text").textContent = ok ? "Thank you. You can close this page." :
      (state === "EXPIRED" ? "Ask for a new link." : "Please contact the service that sent you this link.");
    status.textContent = "Done: " + state + ".";
    document.body.dataset.outcome = state;
  }

  function poll() {
    call("session.current").then(function (s) {
      if (s.state === "PROCESSING") { setTimeout(poll, 1000); showOutcome("PROCESSING"); } else { showOutcome(s.state); }
    }, function () { setTimeout(poll, 2000); });
  }

  $("#submit").addEventListener("click", function () {
    $("#submit").disabled = true; status.textContent = "Submitting…";
    call("session.submit").then(function () { showOutcome("PROCESSING"); poll(); }, function (e) {
      status.textContent = e.message; $("#submit").disabled = false;
    });
  });

  call("session.current").then(function (s) {
    session = s;
    if (s.state !== "CREATED" && s.state !== "UPLOADING") {
      if (s.state === "PROCESSING") { poll(); }
      showOutcome(s.state);
      return;
    }
    document.querySelectorAll(".step").forEach(function (sec) {
      var live = sec.dataset.kind === "selfie" && liveness();
      if (sec.dataset.kind === "selfie" && !s.face_verification && !live) { $("h2", sec).insertAdjacentHTML("beforeend", " <small>(optional)</small>"); }
      sec.hidden = false;
      if (live) { setupLive(sec); } else { setupStep(sec); }
      if (live ? s.liveness_frames : s[sec.dataset.kind]) { sec.classList.add("done"); }
    });
    $("#actions").hidden = false;
    refresh();
  }, function (e) {
    status.textContent = e.status === 401 ? "This link is not valid. Ask for a new one." : e.message;
  });
})();
