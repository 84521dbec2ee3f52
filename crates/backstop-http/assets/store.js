// The demo store's own script (not the widget). Demo-only niceties: who is shopping, a working cart counter, favourites, and links that open the chat.
(function () {
  var alice = /(?:^|[?&])as=alice(?:&|$)/.test(location.search);
  document.getElementById(alice ? "as-alice" : "as-guest").classList.add("on");
  if (alice) {
    var acc = document.getElementById("account");
    acc.href = "/demo/store";
    document.getElementById("account-label").textContent = "Hi, Alice";
  }
  var count = 0, cart = document.getElementById("cart-count");
  document.querySelectorAll(".add").forEach(function (b) {
    b.addEventListener("click", function () {
      cart.textContent = String(++count);
      b.classList.add("done");
      b.textContent = "Added ✓";
      setTimeout(function () { b.classList.remove("done"); b.textContent = "Add to cart"; }, 1600);
    });
  });
  document.querySelectorAll(".fav").forEach(function (b) {
    b.addEventListener("click", function () { b.classList.toggle("on"); });
  });
  document.querySelectorAll(".filters button").forEach(function (b, _, all) {
    b.addEventListener("click", function () { all.forEach(function (x) { x.classList.toggle("on", x === b); }); });
  });
  var news = document.getElementById("newsletter");
  if (news) news.addEventListener("submit", function (e) {
    e.preventDefault();
    news.querySelector("button").textContent = "Welcome aboard ✓";
  });
  document.querySelectorAll("[data-open-chat]").forEach(function (a) {
    a.addEventListener("click", function (e) {
      e.preventDefault();
      if (window.Backstop) window.Backstop.open();
    });
  });
})();
