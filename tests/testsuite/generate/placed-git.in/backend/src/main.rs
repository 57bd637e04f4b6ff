fn main() {
    println!("ledger http");
}
