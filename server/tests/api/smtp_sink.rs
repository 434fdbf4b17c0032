//! An SMTP server for the tests (mailin-embedded, in-process): records every e-mail it receives.

use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use mailin_embedded::response::OK;
use mailin_embedded::{Handler, Response, Server};

/// One received e-mail: recipients and the raw message.
#[derive(Debug, Clone)]
pub struct Received {
    pub to: Vec<String>,
    pub data: String,
}

#[derive(Clone, Default)]
struct Sink {
    received: Arc<Mutex<Vec<Received>>>,
    current: Arc<Mutex<(Vec<String>, Vec<u8>)>>,
}

impl Handler for Sink {
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        *self.current.lock().unwrap() = (to.to_vec(), Vec::new());
        OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.lock().unwrap().1.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let (to, data) = std::mem::take(&mut *self.current.lock().unwrap());
        // Undo quoted-printable's soft line breaks, so assertions can look for whole lines.
        let data = String::from_utf8_lossy(&data).replace("=\r\n", "");
        self.received.lock().unwrap().push(Received { to, data });
        OK
    }
}

/// Starts the SMTP sink on a free port; returns what it receives and the port.
pub fn start_sink() -> (Arc<Mutex<Vec<Received>>>, u16) {
    let sink = Sink::default();
    let received = sink.received.clone();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut server = Server::new(sink);
    server.with_name("sink.test").with_tcp_listener(listener);
    std::thread::spawn(move || {
        let _ = server.serve();
    });
    (received, port)
}

impl Received {
    /// The Message-ID header's value, `<…>` included.
    pub fn message_id(&self) -> Option<&str> {
        self.data.lines().find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("message-id")
                .then(|| value.trim())
        })
    }
}
