// ros2_posenet live view: draws every frame of the pose WebSocket served on this host and port.
// Messages: text {"poses": [{score, id, keypoints: [{score, part, position: {x, y}}]}],
// "image": {width, height}}; with ?image=1 each text message is followed by the frame as a
// binary JPEG. The skeleton (window.POSENET_SKELETON) comes from /skeleton.js, generated
// from the package's keypoint tables.
'use strict';

(function () {
  const params = new URLSearchParams(window.location.search);
  const MIN_PART_SCORE = parseFloat(params.get('minPartScore') || '0.1');
  const MIN_POSE_SCORE = parseFloat(params.get('minPoseScore') || '0.15');
  const RETRY_MIN_MS = 500;
  const RETRY_MAX_MS = 5000;
  const FPS_WINDOW_MS = 2000;
  const BACKGROUND = '#111111';
  const skeleton = window.POSENET_SKELETON || {bones: []};

  const canvas = document.getElementById('canvas');
  const context = canvas.getContext('2d');
  const showImage = document.getElementById('show-image');
  showImage.checked = params.get('image') === '1';
  const text = (id, value) => { document.getElementById(id).textContent = value; };

  // State read by people (and by the tests through the DevTools protocol).
  const view = window.poseView = {
    connected: false, frames: 0, fps: 0, lastFrame: null, connections: 0,
    layout: {scale: 1, offsetX: 0, offsetY: 0}, arrivals: [],
  };
  let socket = null;
  let retryMs = RETRY_MIN_MS;
  let pending = null;  // frame waiting for its JPEG
  let image = null;    // last decoded JPEG

  function colorOf(id) {
    if (!id) return 'hsl(0, 0%, 85%)';  // not yet tracked
    return `hsl(${(id * 137.508) % 360}, 90%, 55%)`;
  }

  function connect() {
    const url = `ws://${window.location.host}/stream${showImage.checked ? '?image=1' : ''}`;
    socket = new WebSocket(url);
    socket.binaryType = 'blob';
    socket.onopen = () => {
      retryMs = RETRY_MIN_MS;
      view.connected = true;
      view.connections += 1;
      text('state', 'connected');
      document.getElementById('state').className = 'connected';
    };
    socket.onmessage = (event) => {
      if (typeof event.data === 'string') {
        const frame = JSON.parse(event.data);
        countFrame();
        if (showImage.checked) {
          pending = frame;  // drawn when its image arrives
          return;
        }
        image = null;
        draw(frame);
      } else if (pending) {
        const frame = pending;
        pending = null;
        createImageBitmap(event.data).then((bitmap) => {
          image = bitmap;
          draw(frame);
        }, () => draw(frame));
      }
    };
    socket.onclose = () => {
      view.connected = false;
      text('state', `disconnected, retrying in ${(retryMs / 1000).toFixed(1)} s`);
      document.getElementById('state').className = 'disconnected';
      setTimeout(connect, retryMs);
      retryMs = Math.min(RETRY_MAX_MS, retryMs * 2);
    };
    socket.onerror = () => socket.close();
  }

  showImage.addEventListener('change', () => {
    pending = null;
    if (socket) {
      socket.onclose = null;
      socket.close();
    }
    connect();
  });

  function countFrame() {
    const now = performance.now();
    view.frames += 1;
    view.arrivals.push(now);
    while (view.arrivals.length && view.arrivals[0] < now - FPS_WINDOW_MS) view.arrivals.shift();
  }

  function updateFps() {
    const now = performance.now();
    const arrivals = view.arrivals.filter((t) => t >= now - FPS_WINDOW_MS);
    view.arrivals = arrivals;
    if (arrivals.length >= 2) {
      const span = Math.max(now - arrivals[0], 1);
      view.fps = (arrivals.length - 1) * 1000 / span;
    } else {
      view.fps = 0;
    }
    text('fps', view.fps.toFixed(1));
    document.title = `PoseNet live - ${view.fps.toFixed(1)} fps`;
  }
  setInterval(updateFps, 250);

  function fitCanvas() {
    const ratio = window.devicePixelRatio || 1;
    const width = Math.round(canvas.clientWidth * ratio);
    const height = Math.round(canvas.clientHeight * ratio);
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    return ratio;
  }

  function draw(frame) {
    view.lastFrame = frame;
    const source = frame.image || {width: 640, height: 480};
    text('size', `${source.width}x${source.height}`);
    text('people', String(frame.poses.length));
    const ratio = fitCanvas();
    context.setTransform(1, 0, 0, 1, 0, 0);
    context.fillStyle = BACKGROUND;
    context.fillRect(0, 0, canvas.width, canvas.height);
    const scale = Math.min(canvas.width / source.width, canvas.height / source.height);
    const offsetX = (canvas.width - source.width * scale) / 2;
    const offsetY = (canvas.height - source.height * scale) / 2;
    // in CSS pixels of the canvas element, for whoever maps source pixels to the screen
    view.layout = {scale: scale / ratio, offsetX: offsetX / ratio, offsetY: offsetY / ratio};
    context.setTransform(scale, 0, 0, scale, offsetX, offsetY);
    if (image) context.drawImage(image, 0, 0, source.width, source.height);
    else {
      context.strokeStyle = '#333';
      context.lineWidth = 1 / scale;
      context.strokeRect(0, 0, source.width, source.height);
    }
    for (const pose of frame.poses) drawPose(pose, scale);
  }

  function drawPose(pose, scale) {
    if (pose.score < MIN_POSE_SCORE) return;
    const color = colorOf(pose.id);
    const byPart = {};
    for (const keypoint of pose.keypoints) byPart[keypoint.part] = keypoint;
    context.strokeStyle = color;
    context.fillStyle = color;
    context.lineWidth = 4 / scale;
    context.lineCap = 'round';
    for (const [a, b] of skeleton.bones) {
      const from = byPart[a];
      const to = byPart[b];
      if (!from || !to || from.score < MIN_PART_SCORE || to.score < MIN_PART_SCORE) continue;
      context.beginPath();
      context.moveTo(from.position.x, from.position.y);
      context.lineTo(to.position.x, to.position.y);
      context.stroke();
    }
    let top = null;
    for (const keypoint of pose.keypoints) {
      if (keypoint.score < MIN_PART_SCORE) continue;
      context.beginPath();
      context.arc(keypoint.position.x, keypoint.position.y, 4 / scale, 0, 2 * Math.PI);
      context.fill();
      if (!top || keypoint.position.y < top.y) top = keypoint.position;
    }
    if (top) {
      context.font = `${16 / scale}px system-ui, sans-serif`;
      context.textAlign = 'center';
      context.fillText(pose.id ? `#${pose.id}` : '?', top.x, top.y - 12 / scale);
    }
  }

  window.addEventListener('resize', () => { if (view.lastFrame) draw(view.lastFrame); });
  connect();
})();
