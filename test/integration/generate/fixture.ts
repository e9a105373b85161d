/** The dozen-table source database of the generate tests (and bench): an FK chain, a cycle, odd names, no-key tables. */
export const SCHEMA = `
CREATE SCHEMA sales;
CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, email varchar(200), created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL);
CREATE TABLE addresses (id int PRIMARY KEY, customer_id int NOT NULL REFERENCES customers, city text, zip text);
CREATE TABLE products (id int PRIMARY KEY, sku text UNIQUE NOT NULL, price numeric(10,2) NOT NULL, attrs jsonb, updated_at timestamptz NOT NULL);
CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL REFERENCES customers, placed_on date NOT NULL, total numeric(12,2), updated_at timestamptz NOT NULL);
CREATE TABLE order_items (order_id int REFERENCES orders, product_id int REFERENCES products, qty int NOT NULL, PRIMARY KEY (order_id, product_id));
CREATE TABLE payments (id bigint PRIMARY KEY, order_id int NOT NULL REFERENCES orders, amount numeric NOT NULL, paid_at timestamptz);
CREATE TABLE shipments (id int PRIMARY KEY, order_id int NOT NULL REFERENCES orders, address_id int REFERENCES addresses, shipped boolean NOT NULL);
CREATE TABLE "Audit Log" (seq serial, event text, at timestamptz);
CREATE TABLE departments (id int PRIMARY KEY, name text NOT NULL, head_id int);
CREATE TABLE employees (id int PRIMARY KEY, name text NOT NULL, department_id int NOT NULL REFERENCES departments, manager_id int REFERENCES employees);
ALTER TABLE departments ADD CONSTRAINT departments_head_fkey FOREIGN KEY (head_id) REFERENCES employees;
CREATE TABLE tags (id int PRIMARY KEY, labels text[] NOT NULL);
CREATE TABLE product_tags (product_id int REFERENCES products, tag_id int REFERENCES tags, PRIMARY KEY (product_id, tag_id));
CREATE TABLE sales.regions (id int PRIMARY KEY, name text NOT NULL, modified_at timestamptz);
CREATE VIEW order_totals AS SELECT customer_id, sum(total) AS total FROM orders GROUP BY customer_id;
`;

export const DATA = `
INSERT INTO customers SELECT i, 'customer ' || i, CASE WHEN i % 7 = 0 THEN NULL ELSE 'c' || i || '@example.com' END,
  timestamptz '2024-01-01 00:00:00.123456+00' + i * interval '1 hour', timestamptz '2024-02-01 00:00:00+00' + i * interval '1 minute' FROM generate_series(1, 300) i;
INSERT INTO addresses SELECT i, 1 + i % 300, 'city ' || (i % 17), lpad((i * 37 % 99999)::text, 5, '0') FROM generate_series(1, 400) i;
INSERT INTO products SELECT i, 'SKU-' || i, (i * 3.17)::numeric(10,2), CASE WHEN i % 5 = 0 THEN NULL ELSE jsonb_build_object('color', 'c' || (i % 4), 'sizes', jsonb_build_array(i, i + 1), 'note', 'ünïcode "q"') END,
  timestamptz '2024-03-01 00:00:00+00' + i * interval '1 second' FROM generate_series(1, 120) i;
INSERT INTO orders SELECT i, 1 + i % 300, date '2024-01-01' + (i % 200), (i * 1.5)::numeric(12,2), timestamptz '2024-04-01 00:00:00+00' + i * interval '1 second' FROM generate_series(1, 1000) i;
INSERT INTO order_items SELECT o, 1 + (o * k) % 120, k FROM generate_series(1, 1000) o, generate_series(1, 3) k ON CONFLICT DO NOTHING;
INSERT INTO payments SELECT 5000000000 + i, i, (i * 1.5)::numeric, CASE WHEN i % 3 = 0 THEN NULL ELSE timestamptz '2024-05-01 00:00:00+00' + i * interval '1 minute' END FROM generate_series(1, 800) i;
INSERT INTO shipments SELECT i, i, CASE WHEN i % 4 = 0 THEN NULL ELSE 1 + i % 400 END, i % 2 = 0 FROM generate_series(1, 600) i;
INSERT INTO "Audit Log" (event, at) SELECT 'event ' || i, timestamptz '2024-06-01 00:00:00+00' + i * interval '1 day' FROM generate_series(1, 50) i;
INSERT INTO departments SELECT i, 'dept ' || i, NULL FROM generate_series(1, 5) i;
INSERT INTO employees SELECT i, 'employee ' || i, 1 + i % 5, CASE WHEN i <= 5 THEN NULL ELSE 1 + i % 5 END FROM generate_series(1, 40) i;
UPDATE departments SET head_id = id;
INSERT INTO tags SELECT i, ARRAY['t' || i, 'x,y', 'q"uote'] FROM generate_series(1, 10) i;
INSERT INTO product_tags SELECT p, 1 + p % 10 FROM generate_series(1, 120) p;
INSERT INTO sales.regions VALUES (1, 'north', NULL), (2, 'south', now());
ANALYZE;
`;
