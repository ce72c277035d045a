document.getElementById("app")!.textContent = "pmx";
