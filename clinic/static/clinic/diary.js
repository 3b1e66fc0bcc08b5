// The diary on a narrow screen scrolls sideways: open it on today's column.
"use strict";
document.querySelectorAll(".diary-grid").forEach((grid) => {
    const today = grid.querySelector(".diary-today");
    const times = grid.querySelector(".diary-times");
    if (today && times && grid.scrollWidth > grid.clientWidth) {
        grid.scrollLeft = today.offsetLeft - times.offsetWidth;
    }
});
