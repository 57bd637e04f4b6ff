fn main() {
    println!("ledger sweeper");
}
