package mllp_test

import (
	"context"
	"fmt"
	"log"
	"net"

	"github.com/switchboard-hl7/switchboard/mllp"
	"github.com/switchboard-hl7/switchboard/mllp/mllptest"
)

func ExampleServer() {
	srv := &mllp.Server{
		Handler: mllp.HandlerFunc(func(ctx context.Context, r *mllp.Request) []byte {
			// Store r.Message durably first; only then acknowledge it.
			return mllptest.BuildAck(r.Message, "AA", "")
		}),
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	client := &mllp.Client{Addr: ln.Addr().String()}
	ack, err := client.Send(context.Background(), mllptest.Message("MSG00001"))
	if err != nil {
		log.Fatal(err)
	}
	code, controlID, _ := mllp.AckCode(ack)
	fmt.Println(code, controlID)

	client.Close()
	srv.Shutdown(context.Background())
	fmt.Println(<-served)
	// Output:
	// AA MSG00001
	// mllp: Server closed
}

func ExampleAckCode() {
	ack := []byte("MSH|^~\\&|EHR|HOSP|SB|SB|20240101120000||ACK^A01^ACK|A42|P|2.5.1\rMSA|AE|MSG00001|PID-3 missing\r")
	code, controlID, err := mllp.AckCode(ack)
	fmt.Println(code, controlID, err)
	// Output: AE MSG00001 <nil>
}
