//! Prints how a paste is read: its regions, the line counts, the pods, events and log lines
//! found in it. `cargo run -p kubeclinic-engine --example read -- paste.txt`

fn main() {
    let path = std::env::args().nth(1).expect("usage: read <file>");
    let text = std::fs::read_to_string(&path).expect("readable file");
    let runtime = kubeclinic_engine::runtime::read(&text);
    for region in &runtime.regions {
        let first = text[region.range.start..region.range.end]
            .lines()
            .next()
            .unwrap_or("");
        println!(
            "{:?} {}..{}  {first}",
            region.kind, region.range.start, region.range.end
        );
    }
    println!("reading: {}", runtime.reading.describe());
    for observed in &runtime.observed {
        println!("observed {} {:?}", observed.kind, observed.name);
        for f in &observed.describe.fields {
            println!("  field {:?} {} = {}", f.path, f.key, f.value);
        }
        for e in &observed.describe.events {
            println!("  event {} {} [{}] {}", e.kind, e.reason, e.age, e.message);
        }
    }
    for e in &runtime.events {
        println!("event {} {} {:?} {}", e.kind, e.reason, e.object, e.message);
    }
    for l in &runtime.logs {
        println!("log {}", l.text);
    }
}
