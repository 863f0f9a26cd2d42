/*
 * EPUBCheck kept running between validations, for `folio build --watch` (see epubcheck.ts).
 *
 * A one-shot EPUBCheck spends most of its time starting the JVM and compiling its classes;
 * a JVM that stays up pays that once, and later validations of the same issue take a tenth of
 * the time. It is launched as a single source file (`java -cp <EPUBCheck's jars> this-file`),
 * so there is nothing to build or install, and it calls `EpubChecker.run`, which is what the
 * command line runs, less the `System.exit`: the report is the one a one-shot run would write.
 *
 * Protocol, UTF-8, one request per line on stdin: `<epub path>\t<report path>`. EPUBCheck
 * writes its JSON report to the report path, and one line answers each request on stdout:
 * `done\t<exit code>`, or `done\t-1` when the request was malformed or EPUBCheck threw. The
 * server exits when stdin closes.
 */
import com.adobe.epubcheck.tool.EpubChecker;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

public class EpubcheckServer {
  public static void main(String[] args) throws IOException {
    BufferedReader requests = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintStream answers = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    // Stdout carries the answers alone: whatever EPUBCheck prints goes to stderr, and it cannot
    // read the requests meant for this loop. Both are swapped before any EPUBCheck class loads,
    // so that none of them keeps a reference to the real streams.
    System.setOut(System.err);
    System.setIn(new ByteArrayInputStream(new byte[0]));
    String line;
    while ((line = requests.readLine()) != null) {
      answers.println("done\t" + check(line));
    }
    // Stdin closed: exit now, even if EPUBCheck left a thread behind that would keep the JVM up.
    System.exit(0);
  }

  /** Validates the EPUB a request names; its exit code, or -1 when it could not run. */
  private static int check(String request) {
    String[] parts = request.split("\t", -1);
    if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
      System.err.println("EpubcheckServer: malformed request: " + request);
      return -1;
    }
    try {
      // A new checker each time: it holds the options and the report of one run.
      return new EpubChecker().run(new String[] { "--quiet", "--json", parts[1], parts[0] });
    } catch (Throwable e) {
      // Even an Error (a stack overflow on a deeply nested document): the answer keeps the
      // protocol in step, and the caller then starts another JVM rather than trust this one.
      e.printStackTrace();
      return -1;
    }
  }
}
