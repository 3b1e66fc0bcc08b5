"""What a member of staff does in the admin, in browser steps the journeys read as."""

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.utils.formats import get_format
from selenium.common.exceptions import (
    ElementClickInterceptedException,
    NoSuchElementException,
    StaleElementReferenceException,
    WebDriverException,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

SCREENSHOTS_DIR = Path(settings.BASE_DIR) / "docs" / "screenshots"
WAIT_SECONDS = 15
SCREENSHOT_WIDTH = 1440
SCREENSHOT_MAX_HEIGHT = 2400


def replaced(page: WebElement):
    """A wait condition: the page ``page`` belonged to has been replaced by the next one.

    Like Selenium's ``staleness_of``, except that Chromium may also answer "Node with
    given id does not belong to the document" while the old page is being torn down,
    which says the same thing.
    """

    def check(_driver) -> bool:
        try:
            page.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as error:
            if "does not belong to the document" in str(error):
                return True
            raise
        return False

    return check


class ContentSecurityPolicyViolation(AssertionError):
    """Chromium refused something a page asked for, so the page is not what staff see."""


class StaffBrowser:
    def __init__(self, driver: WebDriver, base_url: str, *, download_dir: Path) -> None:
        self.driver = driver
        self.base_url = base_url
        self.download_dir = download_dir

    # --- moving around ----------------------------------------------------------------

    def open(self, path: str) -> None:
        """Open a page of the site, or any address (a link from an e-mail)."""
        self.driver.get(path if "://" in path else self.base_url + path)
        self.check_content_security_policy()

    def wait(self, condition, seconds: int = WAIT_SECONDS):
        return WebDriverWait(self.driver, seconds).until(condition)

    def find(self, css: str) -> WebElement:
        return self.wait(EC.presence_of_element_located((By.CSS_SELECTOR, css)))

    def click(self, element: WebElement) -> None:
        """Click like a person would: after bringing the element into the middle of the view,
        away from the admin's sticky sidebar toggle."""
        self.driver.execute_script(
            "arguments[0].scrollIntoView({block: 'center', inline: 'center'})", element
        )
        element.click()

    def submit_with(self, button: WebElement) -> None:
        """Click a button that sends a form, and wait for the next page."""
        page = self.driver.find_element(By.TAG_NAME, "html")
        self.click(button)
        self.wait(replaced(page))
        self.find("body")
        self.check_content_security_policy()

    def press(self, name: str) -> None:
        """Press one of the admin's save buttons by its name (_save, _continue...)."""
        self.submit_with(self.find(f"input[type=submit][name='{name}']"))

    def log_in(self, username: str, password: str) -> None:
        self.driver.delete_all_cookies()
        self.open("/admin/login/")
        self.type("#id_username", username)
        self.type("#id_password", password)
        self.submit_with(self.find("#login-form input[type=submit]"))
        self.find("#user-tools")

    # --- forms -------------------------------------------------------------------------

    def type(self, css: str, value: object) -> None:
        field = self.find(css)
        field.clear()
        field.send_keys(str(value))

    def type_date(self, css: str, day: dt.date) -> None:
        # As staff type dates in the clinic's language: 03/12/2026 in en-gb, 03.12.2026 in ru.
        self.type(css, day.strftime(get_format("DATE_INPUT_FORMATS")[0]))

    def choose(self, css: str, label: str) -> None:
        Select(self.find(css)).select_by_visible_text(label)

    def choose_value(self, css: str, value: str) -> None:
        Select(self.find(css)).select_by_value(value)

    def tick(self, css: str) -> None:
        box = self.find(css)
        if not box.is_selected():
            self.click(box)

    def autocomplete(self, field_id: str, text: str) -> None:
        """Pick ``text`` in one of the admin's autocomplete (select2) fields."""
        self.click(self.find(f"#{field_id} + .select2 .select2-selection"))
        search = self.find(".select2-container--open .select2-search__field")
        search.send_keys(text)
        option = (
            By.XPATH,
            "//li[contains(@class, 'select2-results__option')]"
            f"[contains(normalize-space(.), '{text}')]",
        )

        # Select2 first lists every choice, then redraws the list when the search
        # answers: an option found in the first list may be gone by the time it is clicked.
        def picked(driver) -> bool:
            if text in self._selected_text(field_id):
                return True
            driver.find_element(*option).click()
            return text in self._selected_text(field_id)

        WebDriverWait(
            self.driver,
            WAIT_SECONDS,
            ignored_exceptions=(
                NoSuchElementException,
                StaleElementReferenceException,
                ElementClickInterceptedException,
            ),
        ).until(picked)

    def _selected_text(self, field_id: str) -> str:
        try:
            return Select(self.driver.find_element(By.ID, field_id)).first_selected_option.text
        except NoSuchElementException:
            return ""

    def add_inline_row(self, group_id: str) -> None:
        rows = len(self.driver.find_elements(By.CSS_SELECTOR, f"#{group_id} tr.form-row"))
        self.click(self.find(f"#{group_id} .add-row a"))
        self.wait(
            lambda driver: (
                len(driver.find_elements(By.CSS_SELECTOR, f"#{group_id} tr.form-row")) > rows
            )
        )

    def log_visit_row(
        self, row: int, *, sequence: int, day: dt.date, pain: tuple[int, int]
    ) -> None:
        """Fill in row ``row`` of the course page's visit log as a done session."""
        prefix = f"#id_visits-{row}-"
        self.type(prefix + "sequence", sequence)
        self.type_date(prefix + "scheduled_at_0", day)
        self.type(prefix + "scheduled_at_1", "10:00")
        # By value, so that the steps hold in any language the clinic speaks.
        self.choose_value(prefix + "status", "done")
        self.type(prefix + "duration_minutes", 15)
        self.choose_value(prefix + "position", "prone")
        for technique in ("stroking", "kneading", "vibration"):
            self.tick(f"input[name='visits-{row}-techniques'][value='{technique}']")
        self.choose_value(prefix + "intensity", "sparing")
        self.type(prefix + "pain_before", pain[0])
        self.type(prefix + "pain_after", pain[1])

    def run_action(self, changelist: str, action_label: str, object_ids: list[int]) -> None:
        """Select rows on a change list and run one of its admin actions."""
        self.open(changelist)
        for pk in object_ids:
            self.tick(f"input.action-select[value='{pk}']")
        self.choose("select[name=action]", action_label)
        self.submit_with(self.find("button[name=index]"))

    def download(self, link: WebElement, suffix: str) -> Path:
        """Click a link that downloads a file and wait until the file is complete."""
        self.click(link)

        def finished(_driver) -> Path | None:
            # Chromium writes to a .crdownload file and renames it when the download ends.
            done = [p for p in self.download_dir.iterdir() if p.name.endswith(suffix)]
            return done[0] if len(done) == 1 else None

        return self.wait(finished)

    # --- reading the page --------------------------------------------------------------

    def check_content_security_policy(self) -> None:
        """Fail on any Content-Security-Policy violation Chromium logged since the last
        check: a refused script or style means a broken page for staff and patients."""
        violations = [
            entry["message"]
            for entry in self.driver.get_log("browser")
            if "content security policy" in entry["message"].lower()
        ]
        if violations:
            raise ContentSecurityPolicyViolation(
                f"{self.driver.current_url}: " + "\n".join(violations)
            )

    def messages(self, level: str = "") -> list[str]:
        css = f"ul.messagelist li.{level}" if level else "ul.messagelist li"
        return [li.text for li in self.driver.find_elements(By.CSS_SELECTOR, css)]

    def errors(self) -> list[str]:
        return [
            e.text for e in self.driver.find_elements(By.CSS_SELECTOR, ".errornote, .errorlist li")
        ]

    def text(self, css: str = "body") -> str:
        return self.find(css).text

    def image_size(self, css: str) -> tuple[int, int]:
        """The size an image is drawn at; (0, 0) if the browser could not decode it."""
        image = self.find(css)
        self.wait(
            lambda _driver: self.driver.execute_script("return arguments[0].complete", image)
        )
        loaded, width, height = self.driver.execute_script(
            "const r = arguments[0].getBoundingClientRect();"
            "return [arguments[0].naturalWidth > 0, Math.round(r.width), Math.round(r.height)]",
            image,
        )
        return (width, height) if loaded else (0, 0)

    def overflows(self, css: str) -> bool:
        """Whether the element's content is wider than the element (it scrolls sideways)."""
        element = self.find(css)
        return self.driver.execute_script(
            "return arguments[0].scrollWidth > arguments[0].clientWidth", element
        )

    def screenshot(self, name: str, *, width: int = SCREENSHOT_WIDTH) -> Path:
        """Save the whole page (up to a sane height) as docs/screenshots/<name>.png, at
        ``width`` pixels (a phone's 390, say)."""
        SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
        # A blinking caret in a focused field would make every run's picture differ.
        self.driver.execute_script("document.activeElement && document.activeElement.blur()")
        # ...and so would a focus ring caught fading out.
        self.wait(
            lambda driver: driver.execute_script(
                "return document.getAnimations().every(a => a.playState !== 'running')"
            )
        )
        size = self.driver.get_window_size()
        # The page is as tall as it lays out at the width of the picture.
        self.driver.set_window_size(width, size["height"])
        # The dashboard's floated columns are not counted in the document's scroll height,
        # so measure down to the lowest element.
        height = self.driver.execute_script(
            "return Math.max(document.documentElement.scrollHeight, ...Array.from("
            "document.querySelectorAll('body *'), e => e.getBoundingClientRect().bottom"
            " + window.scrollY))"
        )
        # The window's height includes the browser's own bars; the page gets the rest.
        bars = self.driver.execute_script("return window.outerHeight - window.innerHeight")
        self.driver.set_window_size(
            width, min(int(height) + 20, SCREENSHOT_MAX_HEIGHT) + int(bars)
        )
        try:
            path = SCREENSHOTS_DIR / f"{name}.png"
            self.driver.save_screenshot(str(path))
        finally:
            self.driver.set_window_size(size["width"], size["height"])
        return path
