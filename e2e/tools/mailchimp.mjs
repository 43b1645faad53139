// A local Mailchimp audience enforcing the documented contract of "Add or
// update list member" (Marketing API 3.0): HTTP Basic auth whose password is
// the API key, PUT /3.0/lists/{list_id}/members/{MD5 of the lowercased
// address}, email_address matching the hash, status_if_new required for a
// new member, statuses and ISO 8601 timestamps checked, problem-document
// errors. It can also send the audience's unsubscribe webhook, as Mailchimp
// does (form-encoded type=unsubscribe, data[email], data[list_id]).
import { createServer } from "node:http";
import { createHash } from "node:crypto";

const STATUSES = ["subscribed", "unsubscribed", "cleaned", "pending", "transactional"];

export async function startMailchimp({ apiKey, list }) {
  const members = new Map();
  const received = [];
  const problem = (res, status, title, detail) => {
    res.writeHead(status, { "content-type": "application/problem+json" });
    res.end(JSON.stringify({ type: "https://mailchimp.com/developer/marketing/docs/errors/", title, status, detail, instance: "" }));
  };
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push({ method: req.method, url: req.url, body });
      const auth = Buffer.from((req.headers.authorization ?? "").replace(/^Basic /, ""), "base64").toString();
      if (auth.split(":")[1] !== apiKey) return problem(res, 401, "API Key Invalid", "Your API key may be invalid.");
      const m = req.url.match(/^\/3\.0\/lists\/([^/]+)\/members\/([0-9a-f]{32})$/);
      if (req.method !== "PUT" || !m) return problem(res, 405, "Method Not Allowed", `${req.method} ${req.url}`);
      if (m[1] !== list) return problem(res, 404, "Resource Not Found", "The requested resource could not be found.");
      let member;
      try {
        member = JSON.parse(body);
      } catch {
        return problem(res, 400, "JSON Schema Exception", "We encountered an unspecified JSON parsing error.");
      }
      const email = member.email_address ?? "";
      if (createHash("md5").update(email.toLowerCase()).digest("hex") !== m[2]) return problem(res, 400, "Invalid Resource", "The subscriber hash does not match the email address.");
      const status = members.has(m[2]) ? member.status : member.status_if_new;
      if (!STATUSES.includes(status)) return problem(res, 400, "Invalid Resource", "status_if_new is required for a new list member.");
      for (const k of ["timestamp_signup", "timestamp_opt"]) {
        if (k in member && Number.isNaN(Date.parse(member[k]))) return problem(res, 400, "Invalid Resource", `${k}: not ISO 8601.`);
      }
      const previous = members.get(m[2]);
      members.set(m[2], { ...member, status, writes: (previous?.writes ?? 0) + 1 });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ id: m[2], email_address: email, status, list_id: list }));
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    received,
    member: (email) => members.get(createHash("md5").update(email.toLowerCase()).digest("hex")),
    /** Posts the audience's unsubscribe webhook to `hookUrl`, as Mailchimp does. */
    unsubscribe: (hookUrl, email) =>
      fetch(hookUrl, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          type: "unsubscribe",
          fired_at: new Date().toISOString().slice(0, 19).replace("T", " "),
          "data[action]": "unsub",
          "data[reason]": "manual",
          "data[id]": "8a25ff1d98",
          "data[list_id]": list,
          "data[email]": email,
          "data[email_type]": "html",
        }),
      }),
    close: () => server.close(),
  };
}
