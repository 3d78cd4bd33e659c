//! End to end with a real softphone: baresip (headless, manual answer,
//! ctrl_tcp on a free port, its own config dir) receives a call placed by
//! SIPp from +1 415 555 0123; `ringside listen --baresip … --json` must print
//! the ring with the seeded Contact, then the CANCELled call's end as missed.
//! They need baresip and sipp, so they are `#[ignore]`d (a plain `cargo test`
//! reports them as ignored, never as passed) and run with `--ignored` by
//! `scripts/test.sh`, where a missing tool fails them with the apt package to install.

use std::net::{TcpListener, UdpSocket};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use demo_org::seed;

use super::listen::{Listener, home};

struct Reaped(Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn installed(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// `N` distinct ports free for both TCP and UDP on 127.0.0.1 (SIP listens on
/// both). All stay bound until all are chosen: a port released and picked again
/// would hand baresip's SIP and ctrl_tcp the same port.
fn free_ports<const N: usize>() -> [u16; N] {
    let mut held = Vec::new();
    let mut ports = [0u16; N];
    for slot in &mut ports {
        let port = (0..50)
            .find_map(|_| {
                let tcp = TcpListener::bind("127.0.0.1:0").ok()?;
                let port = tcp.local_addr().ok()?.port();
                let udp = UdpSocket::bind(("127.0.0.1", port)).ok()?;
                // baresip also opens SIP/TLS on the next port ("sip_listen" + 1): a port
                // whose neighbour is taken made it fail with "Address already in use".
                let tls = TcpListener::bind(("127.0.0.1", port.checked_add(1)?)).ok()?;
                held.push((tcp, udp, tls));
                Some(port)
            })
            .expect("a port free for both TCP and UDP");
        *slot = port;
    }
    ports
}

/// A headless baresip with `ringside listen --baresip … --json` attached.
struct Softphone {
    dir: std::path::PathBuf,
    listener: Listener,
    sip_port: u16,
    sipp_port: u16,
    media_port: u16,
    _baresip: Reaped,
}

/// Starts baresip (account `answermode`) and the listener. A missing tool fails
/// the test, naming the apt package: returning early would count as a pass.
fn softphone(name: &str, answermode: &str) -> Softphone {
    let missing: Vec<&str> = [("baresip", "baresip"), ("sipp", "sip-tester")]
        .into_iter()
        .filter(|(tool, _)| !installed(tool))
        .map(|(_, package)| package)
        .collect();
    assert!(
        missing.is_empty(),
        "{name} needs baresip and sipp: apt-get install {} (scripts/install-deps.sh installs them)",
        missing.join(" ")
    );
    let dir = home(name);
    let baresip_dir = dir.join("baresip");
    std::fs::create_dir_all(&baresip_dir).expect("baresip dir");
    let [sip_port, ctrl_port, sipp_port, media_port] = free_ports::<4>();
    // SOFTPHONES.md's headless config: no stdio module, nothing reads stdin.
    let config = format!(
        "sip_listen 127.0.0.1:{sip_port}\nnet_interface 127.0.0.1\naudio_player aubridge,nil\n\
         audio_source ausine,440\nausrc_srate 48000\nausrc_channels 2\naudio_alert aubridge,nil\n\
         module_path /usr/lib/baresip/modules\nmodule g711.so\nmodule ausine.so\nmodule aubridge.so\n\
         module_tmp uuid.so\nmodule_tmp account.so\nmodule_app contact.so\nmodule_app menu.so\n\
         module_app ctrl_tcp.so\nctrl_tcp_listen 127.0.0.1:{ctrl_port}\n"
    );
    std::fs::write(baresip_dir.join("config"), config).expect("config");
    std::fs::write(
        baresip_dir.join("accounts"),
        format!("<sip:agent@127.0.0.1>;regint=0;answermode={answermode}\n"),
    )
    .expect("accounts");
    std::fs::write(baresip_dir.join("contacts"), "").expect("contacts");
    let baresip_log = std::fs::File::create(dir.join("baresip.log")).expect("log file");
    let baresip = Reaped(
        Command::new("baresip")
            .arg("-f")
            .arg(&baresip_dir)
            .stdin(Stdio::null())
            .stdout(baresip_log.try_clone().expect("log"))
            .stderr(baresip_log)
            .spawn()
            .expect("baresip starts"),
    );
    let address = format!("127.0.0.1:{ctrl_port}");
    let listener = Listener::start(&dir, &["--baresip", &address]);
    if let Err(seen) =
        listener.try_wait_for_log("connected to baresip ctrl_tcp", Duration::from_secs(30))
    {
        let baresip_said = std::fs::read_to_string(dir.join("baresip.log")).unwrap_or_default();
        panic!("the adapter never reached baresip: {seen}\nbaresip's log:\n{baresip_said}");
    }
    Softphone {
        dir,
        listener,
        sip_port,
        sipp_port,
        media_port,
        _baresip: baresip,
    }
}

impl Softphone {
    /// Runs one SIPp scenario from `tests/cli/fixtures` against baresip.
    fn call(&self, scenario: &str) {
        let scenario = format!(
            "{}/tests/cli/fixtures/{scenario}",
            env!("CARGO_MANIFEST_DIR")
        );
        let sipp = Command::new("timeout")
            .args(["60", "sipp", "-sf", &scenario])
            .arg(format!("127.0.0.1:{}", self.sip_port))
            .args(["-m", "1", "-s", "agent", "-i", "127.0.0.1", "-nostdin"])
            .args(["-timeout", "30"])
            .args(["-p", &self.sipp_port.to_string()])
            .args(["-mp", &self.media_port.to_string()])
            .current_dir(&self.dir)
            .output()
            .expect("sipp runs");
        let baresip_said =
            std::fs::read_to_string(self.dir.join("baresip.log")).unwrap_or_default();
        assert!(
            sipp.status.success(),
            "sipp ran {scenario}: {}\n{}\nbaresip: {baresip_said}",
            String::from_utf8_lossy(&sipp.stdout),
            String::from_utf8_lossy(&sipp.stderr)
        );
    }
}

impl Drop for Softphone {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
#[ignore = "needs baresip and sipp: run with --ignored (scripts/test.sh does)"]
fn baresip_call_from_sipp_pops_jane_and_a_cancel_is_missed() {
    let phone = softphone("softphone-cancel", "manual");
    phone.call("sipp-ring-then-cancel.xml");
    let listener = &phone.listener;
    let ring = listener.next_event(Duration::from_secs(30));
    assert_eq!(ring["event"], "ring", "first the ring: {ring}");
    assert_eq!(ring["source"], "baresip");
    assert_eq!(
        ring["from"], "+14155550123",
        "peeruri reduced to the number"
    );
    assert_eq!(ring["direction"], "inbound");
    assert_eq!(
        ring["matches"][0]["id"],
        seed::JANE_CALLER_ID,
        "the seeded Contact pops: {ring}"
    );
    let call_id = ring["call_id"].as_str().expect("a call id").to_owned();
    let end = listener.next_event(Duration::from_secs(30));
    assert_eq!(end["event"], "end", "then the end: {end}");
    assert_eq!(end["call_id"], call_id.as_str(), "of the same call");
    assert_eq!(
        end["disposition"], "missed",
        "CANCELled before anyone answered"
    );
    assert_eq!(end["duration"], 0, "no talk time");
}

/// With auto-answer baresip sends no CALL_INCOMING: the first event is the
/// answer, and the hang-up carries the talk time Ringside measured itself.
#[test]
#[ignore = "needs baresip and sipp: run with --ignored (scripts/test.sh does)"]
fn answered_call_reports_its_talk_time() {
    let phone = softphone("softphone-answered", "auto");
    phone.call("sipp-answered-call.xml");
    let answer = phone.listener.next_event(Duration::from_secs(30));
    assert_eq!(
        answer["event"], "answer",
        "auto-answer starts with the answer: {answer}"
    );
    assert_eq!(
        answer["matches"][0]["id"],
        seed::JANE_CALLER_ID,
        "Jane pops on answer"
    );
    let end = phone.listener.next_event(Duration::from_secs(30));
    assert_eq!(end["event"], "end", "then the hang-up: {end}");
    assert_eq!(end["call_id"], answer["call_id"], "of the same call");
    assert_eq!(end["disposition"], "answered");
    let talk = end["duration"].as_u64().expect("a duration");
    assert!(
        (1..=4).contains(&talk),
        "about the 2.2 s SIPp talked: {talk}"
    );
    assert_eq!(end["cached"], true, "the end's pop is a cache hit");
}
