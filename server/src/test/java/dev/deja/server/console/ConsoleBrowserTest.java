package dev.deja.server.console;

import static dev.deja.server.TestServers.TOKEN;
import static dev.deja.server.TestServers.get;
import static dev.deja.server.TestServers.imagePath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.db.testing.TestDatabase;
import dev.deja.server.DejaServer;
import dev.deja.server.TestServers;
import java.io.File;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The console in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver},
 * installed by {@code .ci/run}), one browser for the class. With {@code
 * -Ddeja.console.screenshots=DIR} it also writes a screenshot of each page into DIR (the README's
 * pictures come from {@code docs/console}).
 */
class ConsoleBrowserTest {

  static final TestDatabase.Schema SCHEMA = TestDatabase.isolatedSchema(ConsoleBrowserTest.class);
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final String QUERY = "seed=11&width=64&height=64";
  static final String XSS_PROMPT = "<img src=x onerror=alert(1)> a lighthouse at dusk";
  static DejaServer server;
  static WebDriver browser;
  static Path profile;
  static SemanticHits.Hit hit;

  @BeforeAll
  static void start() throws Exception {
    assertTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "the browser tests need Debian's chromium and chromium-driver: apt-get install -y"
            + " chromium chromium-driver (.ci/run does)");
    server = TestServers.start(SCHEMA, "--admin-token", TOKEN);
    profile = Files.createTempDirectory("deja-console-chromium");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--user-data-dir=" + profile, "--window-size=1280,1000");
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort()
        .build();
    browser = new ChromeDriver(service, options);
    browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20));

    SemanticHits.awaitStored(server, get(server, imagePath(XSS_PROMPT, QUERY)).headers()
        .firstValue("X-Cache-Key").orElseThrow());
    for (String prompt : new String[] {"a lighthouse on a cliff at dawn",
        "a bowl of ramen on a wooden table"}) {
      SemanticHits.awaitStored(server, get(server, imagePath(prompt, QUERY)).headers()
          .firstValue("X-Cache-Key").orElseThrow());
      get(server, imagePath(prompt, QUERY)); // an exact hit, for the overview's counts
    }
    hit = SemanticHits.make(server, "a cozy wooden cabin in a snowy forest at night",
        "A cozy wooden cabin in a snowy forest at night, highly detailed", QUERY);
    logIn();
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (server != null) {
      server.stop();
    }
    SCHEMA.drop();
    if (profile != null) {
      try (var files = Files.walk(profile)) {
        files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile)
            .forEach(File::delete);
      }
    }
  }

  private static String url(String page) {
    return "http://127.0.0.1:" + server.port() + "/_deja/ui/" + page;
  }

  private static void logIn() throws InterruptedException {
    browser.get(url("login"));
    browser.findElement(By.name("token")).sendKeys(TOKEN);
    browser.findElement(By.name("who")).sendKeys("ada");
    submit(browser.findElement(By.cssSelector("form.login button")));
    assertEquals("Overview", browser.findElement(By.tagName("h1")).getText());
  }

  /** Clicks a submit button and waits until the page it leads to has loaded. */
  private static void submit(WebElement button) throws InterruptedException {
    WebElement old = browser.findElement(By.tagName("html"));
    button.click();
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      try {
        old.isEnabled();
      } catch (org.openqa.selenium.StaleElementReferenceException gone) {
        if ("complete".equals(((org.openqa.selenium.JavascriptExecutor) browser)
            .executeScript("return document.readyState"))) {
          return;
        }
      }
      assertTrue(System.nanoTime() < deadline, "the form's answer did not load");
      Thread.sleep(20);
    }
  }

  private static void screenshot(String name) throws Exception {
    String dir = System.getProperty("deja.console.screenshots");
    if (dir == null || dir.isBlank()) {
      return;
    }
    Dimension before = browser.manage().window().getSize();
    long height = (Long) ((org.openqa.selenium.JavascriptExecutor) browser)
        .executeScript("return document.documentElement.scrollHeight");
    browser.manage().window().setSize(new Dimension(1280, (int) Math.min(2600, height + 120)));
    Files.createDirectories(Path.of(dir));
    Files.write(Path.of(dir, name + ".png"),
        ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    browser.manage().window().setSize(before);
  }

  private static void assertNoAlert() {
    assertThrows(NoAlertPresentException.class, () -> browser.switchTo().alert(),
        "no script from a prompt ran");
  }

  @Test
  void aSemanticHit_showsInTheAudit_markedWrong_theNextIdenticalRequestGoesToTheOrigin()
      throws Exception {
    browser.get(url(""));
    assertTrue(browser.findElement(By.id("total-semantic")).getText().matches("[1-9]\\d*"),
        "the overview counts the semantic hit");
    screenshot("overview");

    browser.get(url("audit"));
    WebElement card = browser.findElement(
        By.cssSelector("article.match[data-key='" + hit.aliasKey() + "']"));
    assertEquals("requested A cozy wooden cabin in a snowy forest at night, highly detailed",
        card.findElement(By.cssSelector(".prompt.requested")).getText());
    assertEquals(java.util.List.of("highly", "detailed"),
        card.findElements(By.cssSelector(".prompt.requested ins")).stream()
            .map(WebElement::getText).toList(), "the words the paraphrase added are marked");
    assertTrue(card.findElement(By.cssSelector("img.thumb")).getAttribute("naturalWidth")
        .matches("[1-9]\\d*"), "the thumbnail loaded");
    screenshot("audit");

    browser.get(url("explain?" + "prompt=" + URLEncoder.encode(
        "a cozy wooden cabin in a snowy forest, at night", StandardCharsets.UTF_8)
        + "&params=" + URLEncoder.encode(QUERY, StandardCharsets.UTF_8)));
    assertEquals("semantic-hit", browser.findElement(By.id("verdict")).getText());
    screenshot("explain");
    browser.get(url("entries"));
    screenshot("entries");
    browser.get(url("entry?key=" + hit.targetKey()));
    assertTrue(browser.findElement(By.tagName("main")).getText()
        .contains("A cozy wooden cabin in a snowy forest at night, highly detailed"),
        "the entry lists the prompt its image was served for");
    screenshot("entry");

    browser.get(url("audit"));
    submit(browser.findElement(
        By.cssSelector("article.match[data-key='" + hit.aliasKey() + "']"))
        .findElement(By.cssSelector("button.wrong")));
    assertEquals("Semantic hits", browser.findElement(By.tagName("h1")).getText());
    assertTrue(browser.findElements(
        By.cssSelector("article.match[data-key='" + hit.aliasKey() + "']")).isEmpty(),
        "the judged hit left the audit");

    long calls = server.demoOrigin().calls();
    HttpResponse<byte[]> again = get(server, hit.paraphrasePath());
    assertEquals("MISS", again.headers().firstValue("X-Cache").orElse(null));
    assertEquals(calls + 1, server.demoOrigin().calls(), "the origin drew it");
  }

  @Test
  void aPromptWithMarkup_rendersAsText_andRunsNothing() {
    browser.get(url("entries?q=" + URLEncoder.encode("onerror", StandardCharsets.UTF_8)));
    WebElement prompt = browser.findElement(By.cssSelector("a.prompt"));
    assertEquals(XSS_PROMPT, prompt.getText());
    assertTrue(browser.findElements(By.cssSelector("img[src='x']")).isEmpty(),
        "no element was injected");
    assertNoAlert();

    browser.get(url("explain?prompt=" + URLEncoder.encode(XSS_PROMPT, StandardCharsets.UTF_8)
        + "&params=" + URLEncoder.encode(QUERY, StandardCharsets.UTF_8)));
    assertEquals("exact-hit", browser.findElement(By.id("verdict")).getText());
    assertEquals(XSS_PROMPT, browser.findElement(By.name("prompt")).getAttribute("value"));
    assertTrue(browser.findElements(By.cssSelector("img[src='x']")).isEmpty());
    assertNoAlert();
  }

  @Test
  void aWrongToken_atTheLoginForm_isRefused() throws InterruptedException {
    browser.manage().deleteAllCookies();
    try {
      browser.get(url("login"));
      browser.findElement(By.name("token")).sendKeys("not-the-token");
      submit(browser.findElement(By.cssSelector("form.login button")));
      assertEquals("Wrong token.", browser.findElement(By.id("login-error")).getText());
      browser.get(url("audit"));
      assertEquals("Log in", browser.findElement(By.tagName("h1")).getText(),
          "without a login every page sends you to the form");
    } finally {
      logIn();
    }
  }
}
